using System.Globalization;
using System.Text.Json;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;
using LeNet5.Web.Tests.Support;
using Microsoft.Playwright;
using static LeNet5.Web.Tests.Support.PageDrawing;
using static LeNet5.Web.Tests.Support.PageNumbers;

namespace LeNet5.Web.Tests.Pages;

/// <summary>
/// The sliding window (wwwroot/js/draw/slide.js), in a real Chromium: a C1 or C3 map computed as the
/// kernel slides, an S2 or S4 map as the 2x2 window slides, every product, running sum, weighted sum
/// and output held to the numbers the API returned for the same drawing; C3 over exactly Table I's S2
/// maps; its controls by mouse and keyboard; reduced motion; a phone; axe-core with the player open.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class SlidingKernelTests(BrowserFixture browser) : DrawingPageSession(browser)
{
    private const int K = Convolution.K;
    /// <summary>
    /// How far the page's weighted sum may lie from the server's: the details answer rounds every
    /// activation to 4 decimals (half a unit, 5e-5, each), so the page's sum of weights x rounded inputs
    /// is off by up to 5e-5 x the sum of |weights|, and the server's own number by 5e-5 more; float
    /// arithmetic on the server adds a little. The output (tanh's slope is at most A x S) likewise.
    /// </summary>
    private static double SumTolerance(double absoluteWeights) => 5e-5 * absoluteWeights + 5e-5 + 1e-5;

    private static double OutputTolerance(double absoluteWeights) => ScaledTanh.A * ScaledTanh.S * SumTolerance(absoluteWeights) + 5e-5;

    [Fact]
    public async Task TheKernelSlidingOverTheInputComputesC1sMapAsTheServerDid()
    {
        var page = await DrawnAsync(Desktop);
        const int map = 2;
        await OpenSlideAsync(page, "c1", map);
        var (details, parameters) = await NumbersAsync(page);

        // it plays by itself: the window moves on without a press, until Pause
        Assert.Equal("true", await Slide(page).GetAttributeAsync("data-playing"));
        await page.Locator("#slide:not([data-position='0'])").WaitForAsync();
        await page.Locator("#slide-play").ClickAsync();
        await page.Locator("#slide[data-playing='false']").WaitForAsync();
        Assert.Equal("Play", (await page.Locator("#slide-play").TextContentAsync())?.Trim());

        var kernel = Values(parameters, "c1", 0).Skip(map * K * K).Take(K * K).ToArray();
        var bias = Values(parameters, "c1", 1)[map];
        var input = Activations(details, "input");
        void Check(Shown shown)
        {
            Assert.Equal([0], shown.Inputs);
            int r = shown.Position / 28, c = shown.Position % 28;
            Assert.Equal((r, c), (shown.Row, shown.Column));
            double running = 0;
            for (int k = 0; k < K * K; k++)
            {
                double product = kernel[k] * input[(r + k / K) * 32 + c + k % K];
                Assert.Equal(product, shown.Products[0][k], 12);
                running += product;
                if (k % K == K - 1) Assert.Equal(running, shown.Running[0][k / K], 10);
            }
            Assert.Equal(running + bias, shown.Sum, 10);
            // the weighted sum and the output are the server's pre- and post-tanh activations
            int at = map * 28 * 28 + r * 28 + c;
            double spread = kernel.Sum(Math.Abs);
            Assert.InRange(Math.Abs(shown.Sum - Activations(details, "c1")[at]), 0, SumTolerance(spread));
            Assert.InRange(Math.Abs(shown.Output - Activations(details, "c1.tanh")[at]), 0, OutputTolerance(spread));
            Assert.Equal(ScaledTanh.A * Math.Tanh(ScaledTanh.S * shown.Sum), shown.Output, 5);
        }

        var paused = await ShownAsync(page);
        Check(paused);
        for (int step = 1; step <= 3; step++)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Step", Exact = true }).ClickAsync();
            await page.Locator($"#slide[data-position='{paused.Position + step}']").WaitForAsync();
            Check(await ShownAsync(page));
        }
        Assert.Equal((paused.Position + 4).ToString(), await page.Locator("#slide-output-map").GetAttributeAsync("data-built"));

        // by keyboard: Reset, then Enter and Space on Step
        await page.GetByRole(AriaRole.Button, new() { Name = "Reset" }).ClickAsync();
        await page.Locator("#slide[data-position='0']").WaitForAsync();
        Check(await ShownAsync(page));
        await page.Locator("#slide-step").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#slide[data-position='1']").WaitForAsync();
        await page.Keyboard.PressAsync("Space");
        await page.Locator("#slide[data-position='2']").WaitForAsync();
        Check(await ShownAsync(page));

        // to the end: the last unit, and the whole map built is the one the maps panel drew from the API's numbers
        await page.GetByRole(AriaRole.Button, new() { Name = "To the end" }).ClickAsync();
        await page.Locator("#slide[data-position='783']").WaitForAsync();
        Check(await ShownAsync(page));
        var built = await PixelsAsync(page.Locator("#slide-output-map"));
        var drawn = await PixelsAsync(page.Locator("figure.layer-c1 canvas.map").Nth(map));
        Assert.Equal(drawn.Length, built.Length);
        for (int i = 0; i < drawn.Length; i++)
            for (int k = 0; k < 4; k++) Assert.InRange(built[i][k], drawn[i][k] - 1, drawn[i][k] + 1);

        // Escape closes it and gives the focus back to the button that opened it
        await page.Locator("#slide-step").FocusAsync();
        await page.Keyboard.PressAsync("Escape");
        await page.Locator("#slide[data-state='closed']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.True(await page.Locator("#inspector .watch").EvaluateAsync<bool>("b => b === document.activeElement"));
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task AC3MapsKernelSlidesOverExactlyTheS2MapsOfTableOne()
    {
        var page = await DrawnAsync(Desktop);
        for (int o = 0; o < Architecture.C3Table.Length; o++)
        {
            await OpenSlideAsync(page, "c3", o);
            Assert.Equal(string.Join(",", Architecture.C3Table[o]), await Slide(page).GetAttributeAsync("data-inputs"));
            Assert.Equal(Architecture.C3Table[o], await page.Locator("#slide figure.slide-input")
                .EvaluateAllAsync<int[]>("fs => fs.map(f => Number(f.dataset.inputMap))"));
            Assert.Equal(Architecture.C3Table[o].Length, await page.Locator("#slide canvas.kernel").CountAsync());
        }

        // map 15 sees all six: the running sum goes on from one S2 map to the next, to the server's numbers
        var (details, parameters) = await NumbersAsync(page);
        await page.Locator("#slide:not([data-position='0'])").WaitForAsync();
        await page.Locator("#slide-play").ClickAsync();
        await page.Locator("#slide[data-playing='false']").WaitForAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Step", Exact = true }).ClickAsync();
        var shown = await ShownAsync(page);
        var s2 = Activations(details, "s2");
        var weights = Values(parameters, "c3", 0);
        int first = Architecture.C3Table[..15].Sum(t => t.Length); // kernels are stored map after map in the table's order
        int r = shown.Position / 10, c = shown.Position % 10;
        double running = 0;
        for (int j = 0; j < 6; j++)
        {
            for (int k = 0; k < K * K; k++)
            {
                double product = weights[(first + j) * K * K + k] * s2[Architecture.C3Table[15][j] * 14 * 14 + (r + k / K) * 14 + c + k % K];
                Assert.Equal(product, shown.Products[j][k], 12);
                running += product;
            }
            Assert.Equal(running, shown.Running[j][K - 1], 10);
        }
        Assert.Equal(running + Values(parameters, "c3", 1)[15], shown.Sum, 10);
        double spread = weights.Skip(first * K * K).Take(6 * K * K).Sum(Math.Abs);
        Assert.InRange(Math.Abs(shown.Sum - Activations(details, "c3")[15 * 100 + r * 10 + c]), 0, SumTolerance(spread));
        Assert.InRange(Math.Abs(shown.Output - Activations(details, "c3.tanh")[15 * 100 + r * 10 + c]), 0, OutputTolerance(spread));

        // for the docs: C3 map 4 (S2 maps 4, 5 and 0) some way along
        await OpenSlideAsync(page, "c3", 4);
        await page.Locator("#slide-play").ClickAsync();
        await page.Locator("#slide[data-playing='false']").WaitForAsync();
        for (int i = 0; i < 34; i++) await page.Locator("#slide-step").ClickAsync();
        await page.Locator("#slide").ScreenshotAsync(new LocatorScreenshotOptions { Path = Screenshot("sliding-kernel.png") });
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task TheTwoByTwoWindowsOfS2AndS4ComputeWhatTheEnginesPoolingDoes()
    {
        var page = await DrawnAsync(Desktop);

        // the default model averages: (a + b + c + d) / 4, no weights, no squashing
        await OpenSlideAsync(page, "s2", 1);
        Assert.Equal(Pooling.KindOf(PoolingKind.Average), await Slide(page).GetAttributeAsync("data-kind"));
        await PauseAsync(page);
        var (details, _) = await NumbersAsync(page);
        var shown = await ShownAsync(page);
        var block = Block(Activations(details, "c1.tanh"), 1, 28, shown.Position / 14, shown.Position % 14);
        Assert.Equal(block, shown.Products[0]);
        Assert.Equal(block.Sum() / 4, shown.Sum, 10);
        Assert.Equal(shown.Sum, shown.Output);
        Assert.InRange(Math.Abs(shown.Output - Activations(details, "s2")[1 * 196 + shown.Position]), 0, SumTolerance(4 * 0.25));
        Assert.Equal(0, await page.Locator("#slide-out").GetByText("tanh").CountAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Close" }).ClickAsync();

        // the paper's model subsamples: coefficient x (a + b + c + d) + bias, then squashed; here S4
        await page.Locator("#model").SelectOptionAsync("lenet5-paper");
        await page.Locator("figure.layer[data-layer='s4.tanh']").WaitForAsync(); // only the paper's model squashes S4
        await page.Locator("#result[data-state='done']").WaitForAsync();
        const int map = 3;
        await OpenSlideAsync(page, "s4", map);
        Assert.Equal(Pooling.KindOf(PoolingKind.Subsampling), await Slide(page).GetAttributeAsync("data-kind"));
        await PauseAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Step", Exact = true }).ClickAsync();
        var (paper, parameters) = await NumbersAsync(page);
        shown = await ShownAsync(page);
        block = Block(Activations(paper, "c3.tanh"), map, 10, shown.Position / 5, shown.Position % 5);
        Assert.Equal(block, shown.Products[0]);
        double z = Values(parameters, "s4", 0)[map] * block.Sum() + Values(parameters, "s4", 1)[map];
        Assert.Equal(z, shown.Sum, 10);
        double spread = 4 * Math.Abs(Values(parameters, "s4", 0)[map]);
        Assert.InRange(Math.Abs(shown.Sum - Activations(paper, "s4")[map * 25 + shown.Position]), 0, SumTolerance(spread));
        Assert.InRange(Math.Abs(shown.Output - Activations(paper, "s4.tanh")[map * 25 + shown.Position]), 0, OutputTolerance(spread));
        Assert.Contains("coefficient", await page.Locator("#slide-sum").TextContentAsync());
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task WithReducedMotionItStepsOnDemandAndNeverPlaysByItself()
    {
        var page = await DrawnAsync(new BrowserNewContextOptions(Desktop) { ReducedMotion = ReducedMotion.Reduce });
        await OpenSlideAsync(page, "c1", 0);
        Assert.Equal("false", await Slide(page).GetAttributeAsync("data-playing"));
        await page.Locator("#slide-speed").SelectOptionAsync("16"); // the fastest: an autoplay would be seen at once
        // twenty of the fastest steps' time later it has not moved
        await page.EvaluateAsync("() => new Promise(r => setTimeout(r, 20 * Number(document.getElementById('slide-speed').value)))");
        Assert.Equal("0", await Slide(page).GetAttributeAsync("data-position"));
        Assert.Equal("false", await Slide(page).GetAttributeAsync("data-playing"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Step", Exact = true }).ClickAsync();
        await page.Locator("#slide[data-position='1']").WaitForAsync();

        // Play is still there for whoever presses it
        await page.GetByRole(AriaRole.Button, new() { Name = "Play" }).ClickAsync();
        await page.Locator("#slide[data-playing='true']").WaitForAsync();
        await page.Locator("#slide:not([data-position='1'])").WaitForAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause" }).ClickAsync();
        await page.Locator("#slide[data-playing='false']").WaitForAsync();
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task OnAPhoneThePlayerFitsTheScreen()
    {
        var page = await OpenAsync(Phone);
        await page.Locator("#pad").ScrollIntoViewIfNeededAsync();
        await DrawWithTouchAsync(page, Seven);
        await AnswerAsync(page);
        await page.Locator("figure.layer-c3 canvas[data-unit-map]").Nth(15).TapAsync();
        await page.Locator("#inspector[data-layer='c3'][data-map='15'] .watch").TapAsync();
        await page.Locator("#slide[data-state='open'][data-layer='c3'][data-map='15']").WaitForAsync();
        await PauseAsync(page);
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        Assert.True(await page.EvaluateAsync<bool>("() => [...document.querySelectorAll('#slide *')].every(e => e.getBoundingClientRect().right <= window.innerWidth)"));
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task WithThePlayerOpenThePageHasNoSeriousAccessibilityViolation()
    {
        var page = await DrawnAsync(Desktop);
        await OpenSlideAsync(page, "c3", 9);
        await PauseAsync(page);
        await page.Locator("#slide-step").ClickAsync();
        var violations = await Axe.SeriousViolationsAsync(page, "/ with the sliding window open");
        Assert.True(violations.Count == 0, Axe.Describe(violations));
        Assert.Empty(ConsoleErrors);
    }

    /// <summary>The drawing page in a context of these options, a 7 drawn with the mouse and answered.</summary>
    private async Task<IPage> DrawnAsync(BrowserNewContextOptions options)
    {
        var page = await OpenAsync(options);
        await DrawWithMouseAsync(page, Seven);
        await AnswerAsync(page);
        return page;
    }

    private static ILocator Slide(IPage page) => page.Locator("#slide");

    /// <summary>Clicks (pins) unit map of the layer's maps, then the inspector's button that opens the player on it.</summary>
    private static async Task OpenSlideAsync(IPage page, string layer, int map)
    {
        await page.Locator($"figure.layer-{layer} canvas[data-unit-map]").Nth(map).ClickAsync();
        await page.Locator($"#inspector[data-layer='{layer}'][data-map='{map}'] .watch").ClickAsync();
        await page.Locator($"#slide[data-state='open'][data-layer='{layer}'][data-map='{map}']").WaitForAsync();
    }

    private static async Task PauseAsync(IPage page)
    {
        if (await Slide(page).GetAttributeAsync("data-playing") == "true") await page.Locator("#slide-play").ClickAsync();
        await page.Locator("#slide[data-playing='false']").WaitForAsync();
    }

    /// <summary>The details answer for the drawing on the pad, from the model the page asks, and that model's parameters.</summary>
    private static async Task<(JsonElement Details, JsonElement Parameters)> NumbersAsync(IPage page) => (await DetailsAsync(page), await ParametersAsync(page));

    private static double[] Activations(JsonElement details, string layer) =>
        details.GetProperty("layers").EnumerateArray().First(l => l.GetProperty("name").GetString() == layer)
            .GetProperty("activations").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static double[] Values(JsonElement parameters, string layer, int tensor) =>
        parameters.GetProperty("layers").EnumerateArray().First(l => l.GetProperty("name").GetString() == layer)
            .GetProperty("tensors")[tensor].GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToArray();

    /// <summary>The 2x2 block under pooled unit (r, c) of map m, row by row, in maps of side x side.</summary>
    private static double[] Block(double[] maps, int m, int side, int r, int c) =>
        [.. from br in Enumerable.Range(0, 2) from bc in Enumerable.Range(0, 2) select maps[m * side * side + (2 * r + br) * side + 2 * c + bc]];

    private sealed record Shown(int Position, int Row, int Column, int[] Inputs, double[][] Products, double[][] Running, double Sum, double Output);

    /// <summary>What the player shows now: its position, each input map's products (or block) and running sums, the weighted sum and the output.</summary>
    private static async Task<Shown> ShownAsync(IPage page)
    {
        var e = await Slide(page).EvaluateAsync<JsonElement>(@"s => ({
            position: s.dataset.position, row: s.dataset.row, column: s.dataset.column,
            inputs: [...s.querySelectorAll('figure.slide-input')].map(f => Number(f.dataset.inputMap)),
            products: [...s.querySelectorAll('figure.slide-input')].map(f => [...f.querySelectorAll('td.product, td.block')].map(t => t.dataset.value)),
            running: [...s.querySelectorAll('figure.slide-input')].map(f => [...f.querySelectorAll('td.running')].map(t => t.dataset.value)),
            sum: s.querySelector('#slide-sum').dataset.value, output: s.querySelector('#slide-out').dataset.value })");
        static double Number(JsonElement v) => double.Parse(v.GetString()!, CultureInfo.InvariantCulture);
        static double[][] Grid(JsonElement v) => v.EnumerateArray().Select(a => a.EnumerateArray().Select(Number).ToArray()).ToArray();
        return new Shown(int.Parse(e.GetProperty("position").GetString()!), int.Parse(e.GetProperty("row").GetString()!), int.Parse(e.GetProperty("column").GetString()!),
            e.GetProperty("inputs").EnumerateArray().Select(v => v.GetInt32()).ToArray(), Grid(e.GetProperty("products")), Grid(e.GetProperty("running")),
            Number(e.GetProperty("sum")), Number(e.GetProperty("output")));
    }
}
