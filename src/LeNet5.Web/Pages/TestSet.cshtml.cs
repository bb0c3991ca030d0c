using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LeNet5.Web.Pages;

/// <summary>
/// The test-set page: a model's results on the MNIST test digits (its script, js/test-set.js, asks
/// <c>GET /api/models/{id}/test-set</c>). <c>?model=ID</c> chooses the model, else the active one answers.
/// </summary>
public sealed class TestSetModel(ModelRegistry registry) : PageModel
{
    public IReadOnlyList<ModelSummary> Models { get; private set; } = [];

    /// <summary>The model shown; null when none is loaded.</summary>
    public ModelSummary? Shown { get; private set; }

    /// <summary>The id <c>?model=</c> named when it is not here (the active model is shown instead).</summary>
    public string? Missing { get; private set; }

    public void OnGet([FromQuery] string? model)
    {
        Models = IndexModel.Summaries(registry);
        Shown = Models.FirstOrDefault(m => m.Id == model) ?? Models.FirstOrDefault(m => m.Active);
        if (!string.IsNullOrEmpty(model) && Shown?.Id != model) Missing = model;
    }
}
