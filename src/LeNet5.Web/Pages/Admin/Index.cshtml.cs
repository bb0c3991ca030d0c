using LeNet5.Web.Features.Training;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LeNet5.Web.Pages.Admin;

/// <summary>The admin page: the settings form (rendered from the recipes and limits), the live run, results, runs and models. The scripts do the rest through the API.</summary>
public sealed class IndexModel(IOptions<TrainingServiceOptions> options, ModelRegistry registry, Features.Corrections.CorrectionService corrections) : PageModel
{
    /// <summary>The models a run can start from.</summary>
    public IReadOnlyList<string> ModelIds => [.. registry.List().Select(m => m.Id)];

    /// <summary>The accepted drawings a run would train on, and the ones kept for its corrections test.</summary>
    public int AcceptedTrain { get; private set; }

    public int AcceptedTest { get; private set; }

    /// <summary>The training settings' fields, with what a request that names only the default network trains with: the placeholders until another network is chosen.</summary>
    public IReadOnlyList<SettingField> Fields { get; } = SettingField.For(TrainingSettings.RecipeOf(new Architecture(Architecture.LeNet5)));

    public int Threads => options.Value.EffectiveThreads;

    public int Processors => Environment.ProcessorCount;

    public void OnGet()
    {
        var counts = corrections.Counts();
        AcceptedTest = counts.Sum(c => c.AcceptedTest);
        AcceptedTrain = counts.Sum(c => c.Accepted) - AcceptedTest;
    }
}
