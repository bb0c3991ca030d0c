using System.Text.Json;
using LeNet5.Core.Layers;
using Microsoft.Playwright;
using static LeNet5.Web.Tests.Support.PageDrawing;
using static LeNet5.Web.Tests.Support.PageNumbers;

namespace LeNet5.Web.Tests.Pages;

/// <summary>
/// The colour scales (wwwroot/js/colour-scales.js) and their legends, in a real Chromium: every
/// colour-scaled panel carries a legend whose numbers are the range its canvases were painted on,
/// the diverging scale puts a weight's sign and zero where the legend says, in the light and the dark
/// theme, and its stops are a palette that colour-blind readers can tell apart.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LegendTests(BrowserFixture browser) : DrawingPageSession(browser)
{
    private static readonly BrowserNewContextOptions DarkDesktop = new(Desktop) { ColorScheme = ColorScheme.Dark };
    private static readonly BrowserNewContextOptions DarkPhone = new(Phone) { ColorScheme = ColorScheme.Dark };

    /// <summary>ColorBrewer's RdBu in 9 classes, from the most negative to the most positive.</summary>
    private static readonly string[] RdBu9 = ["#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#f7f7f7", "#fddbc7", "#f4a582", "#d6604d", "#b2182b"];

    [Fact]
    public async Task EveryColourScaledPanelHasALegendWithTheRangeItWasPaintedOn()
    {
        var page = await OpenAsync(Desktop);
        await DrawWithMouseAsync(page, Seven);
        var (digit, _) = await AnswerAsync(page);
        await page.Locator($"#saliency[data-state='done'][data-target='{digit}'] .legend").WaitForAsync();

        // the maps: a legend in every layer drawn as colours; squashed layers on [-A, A], the input on its own range
        var missing = await page.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('#maps figure.layer')]
            .filter(f => f.querySelector('canvas.map') && !f.querySelector('.legend')).map(f => f.dataset.layer)");
        Assert.Empty(missing);
        var c1 = await LegendAsync(page.Locator("figure.layer-c1 .legend").First);
        Assert.Equal(-ScaledTanh.A, c1.Lo, 4);
        Assert.Equal(ScaledTanh.A, c1.Hi, 4);
        Assert.Equal(("−1.72", "1.72"), (c1.LoText, c1.HiText));
        Assert.Contains("1.72", c1.Label);

        // what the page painted, against the details answer for the same drawing: each pixel of the input
        // and of C1's first map is the legend's colour at its value (between the bar's two end colours)
        var details = await DetailsAsync(page);
        foreach (var name in new[] { "input", "c1.tanh" })
        {
            var layer = details.GetProperty("layers").EnumerateArray().FirstOrDefault(l => l.GetProperty("name").GetString() == name);
            if (layer.ValueKind == JsonValueKind.Undefined) continue; // a network without that layer's tanh shows c1 itself
            var values = layer.GetProperty("activations").EnumerateArray().Select(v => v.GetDouble()).ToArray();
            var figure = page.Locator($"#maps figure.layer[data-layer='{name}']");
            var legend = await LegendAsync(figure.Locator(".legend").First);
            if (name == "input")
            {
                Assert.Equal(values.Min(), legend.Lo, 5);
                Assert.Equal(values.Max(), legend.Hi, 5);
            }
            var painted = await PixelsAsync(figure.Locator("canvas.map").First);
            var (light, dark) = (legend.Bar[0], legend.Bar[^1]);
            for (int i = 0; i < painted.Length; i++)
            {
                double t = Math.Clamp((values[i] - legend.Lo) / (legend.Hi - legend.Lo), 0, 1);
                for (int k = 0; k < 3; k++) Assert.InRange(painted[i][k], light[k] + (dark[k] - light[k]) * t - 2, light[k] + (dark[k] - light[k]) * t + 2);
            }
        }

        // the kernels: each layer's legend is its largest |weight|, the scale its kernels were painted on
        var parameters = await ParametersAsync(page);
        double MaxAbsWeight(string layer) => parameters.GetProperty("layers").EnumerateArray().First(l => l.GetProperty("name").GetString() == layer)
            .GetProperty("tensors")[0].GetProperty("values").EnumerateArray().Max(v => Math.Abs(v.GetDouble()));
        var c1Kernels = await LegendAsync(page.Locator("#kernels .kernel-row .legend"));
        Assert.Equal(MaxAbsWeight("c1"), c1Kernels.Hi, 9);
        Assert.Equal(-MaxAbsWeight("c1"), c1Kernels.Lo, 9);
        Assert.Equal(MaxAbsWeight("c1"), Number(await page.Locator("#kernels .kernel-row").GetAttributeAsync("data-scale") ?? ""), 9);
        Assert.InRange(Number(c1Kernels.HiText) / MaxAbsWeight("c1"), 0.995, 1.005); // three significant digits
        Assert.Contains("negative ← 0 → positive", c1Kernels.Label);
        var c3Kernels = await LegendAsync(page.Locator("#kernels > .legend"));
        Assert.Equal(MaxAbsWeight("c3"), c3Kernels.Hi, 9);
        Assert.Equal(MaxAbsWeight("c3"), Number(await page.Locator("#table-one").GetAttributeAsync("data-scale") ?? ""), 9);

        // the saliency map: its legend is the largest |gradient| of the explanation of the same drawing
        var explained = await page.EvaluateAsync<JsonElement>($@"async () => (await (await fetch('/api/explain?target={digit}&model=' + encodeURIComponent({CurrentModel}), {{
            method: 'POST', headers: {{ 'Content-Type': 'application/json' }}, body: JSON.stringify({{ image: document.getElementById('pad').toDataURL() }}) }})).json())");
        var saliency = explained.GetProperty("saliency").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var inked = explained.GetProperty("pixels").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var saliencyLegend = await LegendAsync(page.Locator("#saliency .legend"));
        Assert.Equal(saliency.Max(Math.Abs), saliencyLegend.Hi, 9);
        Assert.Equal(-saliency.Max(Math.Abs), saliencyLegend.Lo, 9);
        // the pixel of the strongest gradient is the legend's end on that side, darkened only by the ink under it
        var saliencyPixels = await PixelsAsync(page.Locator("#saliency-map"));
        int peak = Array.IndexOf(saliency.Select(Math.Abs).ToArray(), saliency.Max(Math.Abs));
        var end = saliency[peak] > 0 ? saliencyLegend.Bar[^1] : saliencyLegend.Bar[0];
        double ink = 1 - 0.55 * inked[peak] / 255;
        for (int k = 0; k < 3; k++) Assert.InRange(saliencyPixels[peak][k], end[k] * ink - 2, end[k] * ink + 2);

        // the saliency on the drawing: the panel's scale, its legend under the pad while it is shown
        Assert.Equal(0, await page.Locator(".pad-legend").CountAsync());
        await page.Locator("#why-on-pad").CheckAsync();
        var onPad = await LegendAsync(page.Locator(".pad-legend"));
        Assert.Equal((saliencyLegend.Lo, saliencyLegend.Hi), (onPad.Lo, onPad.Hi));
        await page.Locator("#why-on-pad").UncheckAsync();
        await page.Locator(".pad-legend").WaitForAsync(new LocatorWaitForOptions { State = WaitForSelectorState.Detached });

        // the 28x28 it saw: pixels 0 to 255
        var seen = await LegendAsync(page.Locator("figure.seen .legend"));
        Assert.Equal((0.0, 255.0), (seen.Lo, seen.Hi));

        // the inspector: a C3 unit's kernels with the C3 legend
        await page.Locator("figure.layer-c3 canvas[data-unit-map]").Nth(4).HoverAsync();
        await page.Locator("#inspector[data-layer='c3'][data-map='4'] .legend").WaitForAsync();
        Assert.Equal(MaxAbsWeight("c3"), (await LegendAsync(page.Locator("#inspector .legend"))).Hi, 9);

        // a nudge: the pixels' legend (0 to 255) and the change's, on the largest change made
        await page.Locator("#nudge-targets button[data-target='3']:not([disabled])").ClickAsync();
        await page.Locator("#nudge[data-state='done']").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        Assert.Equal(2, await page.Locator("#nudge .legend").CountAsync());
        var ink255 = await LegendAsync(page.Locator("#nudge .legend").First);
        Assert.Equal((0.0, 255.0), (ink255.Lo, ink255.Hi));
        var change = await LegendAsync(page.Locator("#nudge .legend").Nth(1));
        Assert.Equal(Number(await page.Locator("#nudge .nudge-change canvas").GetAttributeAsync("data-scale") ?? ""), change.Hi, 9);
        Assert.Contains($"none by more than {Math.Round(change.Hi, MidpointRounding.AwayFromZero)} of 255 levels", await page.Locator("#nudge").TextContentAsync());

        // the dreams: pixels 0 to 255
        await page.Locator("#dreams[data-state='done']").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        var dreams = await LegendAsync(page.Locator(".dreams-panel > .legend"));
        Assert.Equal((0.0, 255.0), (dreams.Lo, dreams.Hi));
        Assert.Empty(ConsoleErrors);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AKernelsPositiveWeightIsRedItsNegativeBlueAndZeroTheNeutralMiddleInEitherTheme(bool dark)
    {
        var page = await OpenAsync(dark ? DarkDesktop : Desktop);
        Assert.Equal(dark ? "dark" : "light", await page.EvaluateAsync<string>("() => document.documentElement.dataset.scheme"));
        await page.Locator("#kernels .kernel-row canvas.kernel").First.WaitForAsync();
        var parameters = await ParametersAsync(page);
        var weights = parameters.GetProperty("layers").EnumerateArray().First(l => l.GetProperty("name").GetString() == "c1")
            .GetProperty("tensors")[0].GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        double scale = weights.Max(Math.Abs);
        var kernels = page.Locator("#kernels .kernel-row canvas.kernel");
        int area = weights.Length / 6;
        var painted = new List<int[]>();
        for (int m = 0; m < 6; m++) painted.AddRange(await PixelsAsync(kernels.Nth(m)));
        int[] middle = [0xf7, 0xf7, 0xf7];
        for (int i = 0; i < weights.Length; i++)
        {
            var (r, g, b) = (painted[i][0], painted[i][1], painted[i][2]);
            double t = Math.Abs(weights[i]) / scale;
            if (t < 0.02) Assert.All(Enumerable.Range(0, 3), k => Assert.InRange(painted[i][k], middle[k] - 6, middle[k] + 6)); // zero is the middle
            else if (weights[i] > 0) Assert.True(r > b, $"weight {weights[i]} (kernel {i / area}) is not on the red side: {r},{g},{b}");
            else Assert.True(b > r, $"weight {weights[i]} (kernel {i / area}) is not on the blue side: {r},{g},{b}");
            if (t > 0.25) Assert.True(Math.Abs(r - b) > 30, $"weight {weights[i]} is too close to neutral: {r},{g},{b}");
        }
        // the strongest weight is the legend's end on its side
        int strongest = Array.IndexOf(weights.Select(Math.Abs).ToArray(), scale);
        var legend = await LegendAsync(page.Locator("#kernels .kernel-row .legend"));
        Assert.Equal(weights[strongest] > 0 ? legend.Bar[^1] : legend.Bar[0], painted[strongest][..3]);
        // the legend's middle is the neutral middle, and its text reads on the theme's panel
        Assert.All(Enumerable.Range(0, 3), k => Assert.InRange(legend.Bar[legend.Bar.Length / 2][k], middle[k] - 6, middle[k] + 6));
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task TheDivergingStopsAreColorBrewersRdBuAndStayApartForColourBlindReaders()
    {
        var page = await OpenAsync(Desktop);
        var scale = await page.EvaluateAsync<JsonElement>(@"async () => {
            const m = await import('/js/colour-scales.js');
            const hex = (c) => '#' + c.map((v) => v.toString(16).padStart(2, '0')).join('');
            const colour = m.divergingScale(1);
            const pairs = [0.25, 0.5, 0.75, 1].map((t) => [colour(t), colour(-t)]);
            return { stops: m.DIVERGING.stops.map(hex), pairs, middle: colour(0) };
        }");
        Assert.Equal(RdBu9, scale.GetProperty("stops").EnumerateArray().Select(s => s.GetString()!).ToArray());
        Assert.Equal([0xf7, 0xf7, 0xf7], Rgb(scale.GetProperty("middle")));

        // magnitude is lightness: from the middle out, each side's stops get steadily darker, so how
        // strong a value is reads without telling the hues apart
        var stops = RdBu9.Select(h => new[] { Convert.ToInt32(h[1..3], 16), Convert.ToInt32(h[3..5], 16), Convert.ToInt32(h[5..7], 16) }).ToArray();
        for (int i = 4; i < 8; i++) Assert.True(Luminance(stops[i + 1]) < Luminance(stops[i]) - 0.02, $"stop {i + 1} is not darker than {i}");
        for (int i = 4; i > 0; i--) Assert.True(Luminance(stops[i - 1]) < Luminance(stops[i]) - 0.02, $"stop {i - 1} is not darker than {i}");

        // sign is hue along the blue-yellow axis: under simulated protanopia, deuteranopia and tritanopia
        // (Machado, Oliveira and Fernandes 2009, full severity) a value and its negative stay clearly apart.
        // A red-green scale fails it: ColorBrewer RdYlGn's ends are 0.08 apart under deuteranopia.
        foreach (var pair in scale.GetProperty("pairs").EnumerateArray())
        {
            var (positive, negative) = (Rgb(pair[0]), Rgb(pair[1]));
            foreach (var (name, matrix) in Dichromacies)
                Assert.True(Distance(Simulate(matrix, positive), Simulate(matrix, negative)) > 0.25,
                    $"{string.Join(",", positive)} and {string.Join(",", negative)} look alike under {name}");
        }
        Assert.True(Distance(Simulate(Dichromacies[1].Matrix, [0xd7, 0x30, 0x27]), Simulate(Dichromacies[1].Matrix, [0x1a, 0x98, 0x50])) < 0.25); // RdYlGn's ends: the check can fail
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task OnAPhoneInTheDarkThemeTheLegendsFitAndTheKernelsAreShotForTheDocs()
    {
        var page = await OpenAsync(DarkPhone);
        await page.Locator("#pad").ScrollIntoViewIfNeededAsync();
        await DrawWithTouchAsync(page, Seven);
        var (digit, _) = await AnswerAsync(page);
        await page.Locator($"#saliency[data-state='done'][data-target='{digit}'] .legend").WaitForAsync();
        await page.Locator("#kernels .kernel-row .legend").WaitForAsync();
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        // every legend lies inside the viewport's width
        Assert.True(await page.EvaluateAsync<bool>("() => [...document.querySelectorAll('.legend')].every(l => l.getBoundingClientRect().right <= window.innerWidth)"));
        await page.Locator(".kernels-panel").ScreenshotAsync(new LocatorScreenshotOptions { Path = Screenshot("legends.png") });
        Assert.Empty(ConsoleErrors);
    }

    private static readonly (string Name, double[,] Matrix)[] Dichromacies =
    [
        ("protanopia", new[,] { { 0.152286, 1.052583, -0.204868 }, { 0.114503, 0.786281, 0.099216 }, { -0.003882, -0.048116, 1.051998 } }),
        ("deuteranopia", new[,] { { 0.367322, 0.860646, -0.227968 }, { 0.280085, 0.672501, 0.047413 }, { -0.011820, 0.042940, 0.968881 } }),
        ("tritanopia", new[,] { { 1.255528, -0.076749, -0.178779 }, { -0.078411, 0.930809, 0.147602 }, { 0.004733, 0.691367, 0.303900 } }),
    ];

    private static double Linear(int c) => c / 255.0 <= 0.04045 ? c / 255.0 / 12.92 : Math.Pow((c / 255.0 + 0.055) / 1.055, 2.4);

    private static double Luminance(int[] rgb) => 0.2126 * Linear(rgb[0]) + 0.7152 * Linear(rgb[1]) + 0.0722 * Linear(rgb[2]);

    /// <summary>The colour as a dichromat sees it, in linear RGB.</summary>
    private static double[] Simulate(double[,] m, int[] rgb) =>
        Enumerable.Range(0, 3).Select(r => Math.Clamp(m[r, 0] * Linear(rgb[0]) + m[r, 1] * Linear(rgb[1]) + m[r, 2] * Linear(rgb[2]), 0, 1)).ToArray();

    private static double Distance(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());

    private static double Number(string? text) => double.Parse(text ?? "", System.Globalization.CultureInfo.InvariantCulture);

    private static int[] Rgb(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private sealed record Legend(double Lo, double Hi, string LoText, string HiText, string Label, int[][] Bar);

    private static async Task<Legend> LegendAsync(ILocator legend)
    {
        var e = await legend.EvaluateAsync<JsonElement>(@"l => {
            const bar = l.querySelector('canvas.legend-bar');
            const data = bar.getContext('2d').getImageData(0, 0, bar.width, 1).data;
            return { lo: Number(l.dataset.lo), hi: Number(l.dataset.hi), loText: l.querySelector('.legend-lo').textContent,
              hiText: l.querySelector('.legend-hi').textContent, label: l.getAttribute('aria-label'), role: l.getAttribute('role'),
              bar: Array.from({ length: bar.width }, (_, i) => [data[i * 4], data[i * 4 + 1], data[i * 4 + 2]]) };
        }");
        Assert.Equal("img", e.GetProperty("role").GetString());
        return new Legend(e.GetProperty("lo").GetDouble(), e.GetProperty("hi").GetDouble(), e.GetProperty("loText").GetString()!,
            e.GetProperty("hiText").GetString()!, e.GetProperty("label").GetString()!, e.GetProperty("bar").EnumerateArray().Select(Rgb).ToArray());
    }
}
