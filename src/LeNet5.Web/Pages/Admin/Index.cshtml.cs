using LeNet5.Core.Networks;
using LeNet5.Web.Features.Training;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LeNet5.Web.Pages.Admin;

/// <summary>The admin page: settings form, the live run, results, runs and models. The script does the rest through the API.</summary>
public sealed class IndexModel(TrainingService training) : PageModel
{
    /// <summary>The defaults a request without fields gets.</summary>
    public TrainingRequest Defaults { get; } = TrainingRequest.From(new Architecture(Architecture.LeNet5), new Core.Training.TrainingOptions());

    public int Threads => training.Threads;

    public int Processors => Environment.ProcessorCount;

    public void OnGet()
    {
    }
}
