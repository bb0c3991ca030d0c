using System.Text.Json;
using Microsoft.Playwright;

namespace LeNet5.Web.Tests.Support;

/// <summary>The numbers behind the drawing page: what its canvases hold, and what the API answers for its drawing and model.</summary>
public static class PageNumbers
{
    /// <summary>The model the page asks: the picker's choice, or the only model's.</summary>
    public const string CurrentModel = "(document.getElementById('model')?.value ?? document.getElementById('dreams').dataset.model)";

    /// <summary>The details answer (every layer's activations) for the drawing on the pad, from the model the page asks.</summary>
    public static Task<JsonElement> DetailsAsync(IPage page) =>
        page.EvaluateAsync<JsonElement>($@"async () => (await (await fetch('/api/predict?details=true&model=' + encodeURIComponent({CurrentModel}), {{
            method: 'POST', headers: {{ 'Content-Type': 'application/json' }}, body: JSON.stringify({{ image: document.getElementById('pad').toDataURL() }}) }})).json())");

    /// <summary>The parameters of the model the page asks (GET /api/models/{id}/parameters).</summary>
    public static Task<JsonElement> ParametersAsync(IPage page) =>
        page.EvaluateAsync<JsonElement>($"async () => (await fetch('/api/models/' + encodeURIComponent({CurrentModel}) + '/parameters')).json()");

    /// <summary>The canvas's pixels, row-major, as [r, g, b, a].</summary>
    public static async Task<int[][]> PixelsAsync(ILocator canvas)
    {
        var e = await canvas.EvaluateAsync<JsonElement>(@"c => {
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            return Array.from({ length: c.width * c.height }, (_, i) => [data[i * 4], data[i * 4 + 1], data[i * 4 + 2], data[i * 4 + 3]]);
        }");
        return e.EnumerateArray().Select(p => p.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
    }
}
