using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LeNet5.Web.Pages;

/// <summary>The drawing page: the models to pick from, whether it offers corrections (its scripts take their constants from <see cref="Vocabulary.Drawing"/>).</summary>
public sealed class IndexModel(ModelRegistry registry, IOptions<Features.Corrections.CorrectionsOptions> corrections) : PageModel
{
    public IReadOnlyList<ModelSummary> Models { get; private set; } = [];

    /// <summary>Whether the page offers "Wrong? It's a …" (Corrections:Enabled).</summary>
    public bool CorrectionsEnabled => corrections.Value.Enabled;

    /// <summary>"lenet5 · average pooling, rbf output · 99.17% on MNIST test"</summary>
    public static string Describe(ModelSummary model) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{model.Id} · {model.Options.Pooling} pooling, {model.Options.Output} output{(model.TestAccuracy is { } a ? $" · {a * 100:0.00}% on MNIST test" : "")}");

    public void OnGet() => Models = Summaries(registry);

    /// <summary>The models a page's picker offers, the active one marked.</summary>
    public static IReadOnlyList<ModelSummary> Summaries(ModelRegistry registry)
    {
        var activeId = registry.Active?.Id;
        return [.. registry.List().Select(m => ModelSummary.From(m, m.Id == activeId))];
    }
}
