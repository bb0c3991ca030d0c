using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;
using static LeNet5.Web.Tests.Support.PageDrawing;

namespace LeNet5.Web.Tests.Pages;

/// <summary>
/// The atlas panel (wwwroot/js/draw/atlas.js): the drawing's dot lands among test digits of its own
/// label and moves as the drawing changes; a point chosen by keyboard, mouse or touch shows its digit
/// and opens in the layer view; it fits a phone and passes axe in both themes.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AtlasPageTests(BrowserFixture browser) : DrawingPageSession(browser)
{
    private static readonly BrowserNewContextOptions DarkPhone = new(Phone) { ColorScheme = ColorScheme.Dark };

    private sealed record Point(int Index, int Label, int Predicted, float X, float Y);

    private static async Task<Point[]> PointsAsync(IPage page) =>
        JsonSerializer.Deserialize<Point[]>(await page.EvaluateAsync<string>(
            "async () => JSON.stringify((await (await fetch('/api/models/lenet5/atlas')).json()).points)"), ApiAssert.Json)!;

    private static async Task<(float X, float Y, string Raw)> DotAsync(IPage page, string? notAt = null)
    {
        var selector = notAt is null ? "#atlas[data-state='ready'][data-x]" : $"#atlas[data-state='ready'][data-x]:not([data-x='{notAt}'])";
        var atlas = page.Locator(selector);
        await atlas.WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 }); // the first visit fits the map
        var raw = (await atlas.GetAttributeAsync("data-x"))!;
        return (float.Parse(raw, CultureInfo.InvariantCulture), float.Parse((await atlas.GetAttributeAsync("data-y"))!, CultureInfo.InvariantCulture), raw);
    }

    private static int[] Nearest(Point[] points, float x, float y, int k) =>
        [.. points.OrderBy(p => (p.X - x) * (p.X - x) + (p.Y - y) * (p.Y - y)).Take(k).Select(p => p.Index)];

    [Fact]
    public async Task YourDrawingLandsAmongTestDigitsOfItsLabelAndMovesAsYouDraw()
    {
        var page = await OpenAsync(Desktop);
        var order = new List<string>(); // the atlas never delays an answer: it is asked for once the first one is in
        page.Request += (_, r) => { if (r.Url.EndsWith("/atlas", StringComparison.Ordinal)) lock (order) order.Add("atlas asked"); };
        page.Response += (_, r) => { if (r.Url.Contains("/api/predict", StringComparison.Ordinal)) lock (order) order.Add("answer"); };
        await DrawWithMouseAsync(page, One);
        Assert.Equal((1, false), await AnswerAsync(page));
        var (x, y, raw) = await DotAsync(page);
        lock (order)
        {
            int answered = order.IndexOf("answer"), asked = order.IndexOf("atlas asked");
            Assert.True(answered >= 0 && answered < asked, string.Join(", ", order));
        }
        var points = await PointsAsync(page);
        Assert.Equal(10_000, points.Length);
        Assert.True(Nearest(points, x, y, 5).Count(i => points[i].Label == 1) >= 3, "the five test digits nearest a drawn 1 are mostly 1s");

        // the drawing becomes a 7: the dot goes to the 7s
        await page.Locator("#clear").ClickAsync();
        await DrawWithMouseAsync(page, Seven);
        Assert.Equal((7, false), await AnswerAsync(page));
        var (x7, y7, _) = await DotAsync(page, notAt: raw);
        Assert.True(Nearest(points, x7, y7, 5).Count(i => points[i].Label == 7) >= 3, "the five test digits nearest a drawn 7 are mostly 7s");
        Assert.Contains("labelled 7", await page.Locator("#atlas-map").GetAttributeAsync("aria-label"));

        await page.Locator("#atlas-map").FocusAsync();
        await page.Keyboard.PressAsync("ArrowUp");
        await page.Locator("#atlas[data-selected]").WaitForAsync();
        await page.Locator("#atlas-detail canvas[aria-label^='MNIST test digit']").WaitForAsync();
        await page.Locator(".atlas-panel").ScreenshotAsync(new LocatorScreenshotOptions { Path = Screenshot("atlas.png") });
        Assert.Empty(await Axe.SeriousViolationsAsync(page, "/ with the atlas and a chosen digit"));
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task TheKeyboardVisitsDigitsAndEnterOpensOneInTheLayerView()
    {
        var page = await OpenAsync(Desktop);
        var failed = new List<string>();
        page.Response += (_, r) => { if (r.Status >= 400) failed.Add($"{r.Status} {r.Url}"); };
        await DrawWithMouseAsync(page, Zero);
        await AnswerAsync(page);
        await DotAsync(page);
        var points = await PointsAsync(page);

        await page.Locator("#atlas-map").FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight"); // the first key chooses the digit nearest the drawing
        var first = await SelectedAsync(page);
        await page.Keyboard.PressAsync("ArrowRight");
        var second = await SelectedAsync(page, notIndex: first);
        var point = points[second];
        var verdict = point.Predicted == point.Label ? $"read as {point.Predicted}." : $"read as {point.Predicted}, a mistake.";
        Assert.Equal($"Test digit {point.Index}, labelled {point.Label}, {verdict}",
            await page.Locator(".atlas-caption").TextContentAsync());
        var link = page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "See what the network saw in it" });
        Assert.Equal($"#test={point.Index}&model=lenet5", await link.GetAttributeAsync("href"));

        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#pad-digit:not([hidden])").WaitForAsync();
        Assert.EndsWith($"#test={point.Index}&model=lenet5", page.Url);
        var answer = page.Locator("#result[data-state='done']");
        await page.Locator($"#timing:has-text('MNIST test digit {point.Index}')").WaitForAsync();
        Assert.Equal(point.Predicted.ToString(CultureInfo.InvariantCulture), await answer.GetAttributeAsync("data-digit"));
        Assert.Empty(failed);
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task OnAPhoneATapChoosesTheNearestDigitAndNothingOverflowsInTheDark()
    {
        var page = await OpenAsync(DarkPhone);
        await DrawWithTouchAsync(page, Seven);
        await AnswerAsync(page);
        await DotAsync(page);
        var points = await PointsAsync(page);
        var map = page.Locator("#atlas-map");
        await map.ScrollIntoViewIfNeededAsync();
        var bounds = (await map.GetAttributeAsync("data-bounds"))!.Split(' ').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        float side = await map.EvaluateAsync<float>("m => m.clientWidth");
        Assert.Equal(side, await map.EvaluateAsync<float>("m => m.clientHeight"));

        // where atlas.js draws a point: the map's bounds fitted inside a 12-pixel inset, y up
        (float X, float Y) Screen(Point p)
        {
            float scale = Math.Min((side - 24) / (bounds[2] - bounds[0]), (side - 24) / (bounds[3] - bounds[1]));
            float ox = (side - scale * (bounds[2] - bounds[0])) / 2, oy = (side - scale * (bounds[3] - bounds[1])) / 2;
            return (ox + (p.X - bounds[0]) * scale, side - oy - (p.Y - bounds[1]) * scale);
        }
        // a mistake, ringed on the map: the digit chosen is it, or one drawn on the same spot
        var target = points.First(p => p.Predicted != p.Label);
        var (tx, ty) = Screen(target);
        await map.TapAsync(new LocatorTapOptions { Position = new Position { X = tx, Y = ty } }); // inside the border, as the page measures
        var chosen = points[await SelectedAsync(page)];
        var (cx, cy) = Screen(chosen);
        Assert.True(Math.Abs(cx - tx) <= 0.5 && Math.Abs(cy - ty) <= 0.5, $"tapped digit {target.Index} at ({tx}, {ty}), chose {chosen.Index} at ({cx}, {cy})");
        await page.Locator($".atlas-caption:has-text('Test digit {chosen.Index}, labelled {chosen.Label}')").WaitForAsync();

        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        Assert.Empty(await Axe.SeriousViolationsAsync(page, "/ with the atlas on a phone, dark"));
        Assert.Empty(ConsoleErrors);
    }

    private static async Task<int> SelectedAsync(IPage page, int notIndex = -1)
    {
        var atlas = page.Locator(notIndex < 0 ? "#atlas[data-selected]" : $"#atlas[data-selected]:not([data-selected='{notIndex}'])");
        await atlas.WaitForAsync();
        return int.Parse((await atlas.GetAttributeAsync("data-selected"))!, CultureInfo.InvariantCulture);
    }
}
