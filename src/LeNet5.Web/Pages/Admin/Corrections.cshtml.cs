using LeNet5.Web.Features.Corrections;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LeNet5.Web.Pages.Admin;

/// <summary>The review page: the gallery of contributed drawings, its filters and counts; the script does the rest through the corrections API.</summary>
public sealed class CorrectionsModel(ModelRegistry registry, IOptions<CorrectionsOptions> options) : PageModel
{
    /// <summary>The models a drawing may have been answered by, for the model filter.</summary>
    public IReadOnlyList<string> ModelIds => [.. registry.List().Select(m => m.Id)];

    public bool Enabled => options.Value.Enabled;

    public int TestEvery => CorrectionSplit.TestEvery;

    public void OnGet()
    {
    }
}
