using System.Globalization;
using System.Text.Json;
using LeNet5.Core.Layers;
using LeNet5.Web.Features.Models;
using LeNet5.Web.Models;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LeNet5.Web.Pages;

/// <summary>The drawing page: the models to pick from and the RBF prototypes to draw beside F6.</summary>
public sealed class IndexModel(ModelRegistry registry) : PageModel
{
    public IReadOnlyList<ModelSummary> Models { get; private set; } = [];

    public string? ActiveId { get; private set; }

    /// <summary>The ten 7x12 bitmaps (+1 ink, -1 background), as JSON for the script.</summary>
    public string PrototypesJson { get; } = JsonSerializer.Serialize(Bitmaps.Prototypes());

    /// <summary>"lenet5 · average pooling, rbf output · 99.17% on MNIST test"</summary>
    public static string Describe(ModelSummary model) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{model.Id} · {model.Options.Pooling} pooling, {model.Options.Output} output{(model.TestAccuracy is { } a ? $" · {a * 100:0.00}% on MNIST test" : "")}");

    public void OnGet()
    {
        ActiveId = registry.Active?.Id;
        Models = [.. registry.List().Select(m => ModelSummary.From(m, m.Id == ActiveId))];
    }
}
