using System.Net.Http.Json;
using System.Text.RegularExpressions;
using LeNet5.Web.Tests.Features.TestSet;
using Microsoft.Playwright;
using static LeNet5.Web.Tests.Support.PageDrawing;
using static System.FormattableString;

namespace LeNet5.Web.Tests.Pages;

/// <summary>
/// The test-set page (/test-set, wwwroot/js/test-set.js): a model's accuracy per digit and its confusion
/// matrix as the API answers them, every cell listing exactly its digits, each digit opening the drawing
/// page's layer view with the model that read it, by mouse and by keyboard alone; no serious accessibility
/// violation in either theme, and a phone's width with the matrix scrolling in its own box.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TestSetPageTests(BrowserFixture browser) : IAsyncLifetime
{
    // the new page's URL is enough: each test then waits for the state it checks, not for every resource's load event
    private static readonly PageWaitForURLOptions Navigated = new() { WaitUntil = WaitUntilState.Commit };

    /// <summary>Does <paramref name="act"/> while already waiting for the navigation it starts to <paramref name="url"/> to commit.</summary>
    private static async Task OpenedAsync(IPage page, Func<Task> act, string url)
    {
        var committed = page.WaitForURLAsync(url, Navigated);
        await act();
        await committed;
    }

    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _consoleErrors = [];
    private readonly HttpClient _api = new() { BaseAddress = new Uri(browser.BaseUrl) };

    [Fact]
    public async Task TheNavigationLeadsToTheActiveModelsAccuracyPerDigitAndItsMatrix()
    {
        var page = await OpenAsync(Desktop, "/");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Links" }).GetByRole(AriaRole.Link, new() { Name = "Test set" }).ClickAsync();
        await page.WaitForURLAsync(browser.BaseUrl + "/test-set", Navigated);
        await ResultsShownAsync(page, "lenet5");
        var results = await ResultsAsync("lenet5");

        // the default leads the shipped committee: the sentence from the engine's own evaluation of it, written out here
        var members = LeNet5.Core.Models.ShippedModels.Committee
            .Select(name => LeNet5.Core.Models.ModelFile.Load(Path.Combine(RepoPaths.ModelsDirectory, name + ".safetensors"))).ToArray();
        int right = 10_000 - LeNet5.Core.Training.Evaluator.Evaluate(members, TestMnist.Test, threads: 2).Errors;
        Assert.Equal(Invariant($"lenet5, answering with lenet5-softmax and lenet5-softmax-elastic as a committee, reads {right:N0} of the 10,000 test digits right: {right / 100.0:0.00}% ({10_000 - right} mistakes)."),
            await page.Locator("#overall").TextContentAsync());
        var rows = page.Locator("#per-digit tbody tr");
        Assert.Equal(10, await rows.CountAsync());
        for (int d = 0; d < 10; d++)
        {
            var row = results.Digits[d];
            var cells = await rows.Nth(d).Locator("th, td").AllTextContentsAsync();
            Assert.Equal([$"{d}", Invariant($"{row.Count:N0}"), Invariant($"{row.Correct:N0}"), Invariant($"{100 * row.Accuracy:0.00}%")], cells);
        }

        var buttons = page.Locator("#matrix button.cell");
        Assert.Equal(100, await buttons.CountAsync());
        for (int t = 0; t < 10; t++)
        for (int p = 0; p < 10; p++)
        {
            var button = Cell(page, t, p);
            Assert.Equal(results.Confusion[t][p].ToString(), await button.GetAttributeAsync("data-count"));
            Assert.StartsWith($"labelled {t}, read as {p}: {results.Confusion[t][p]} digit", await button.GetAttributeAsync("aria-label"));
        }
        // the shading: the fullest cell darkest, an empty one lightest, and the legend spans the counts
        int largest = results.Confusion.SelectMany(r => r).Max();
        var (fullT, fullP) = Find(results, (_, _, n) => n == largest);
        var (emptyT, emptyP) = Find(results, (_, _, n) => n == 0);
        Assert.Equal("rgb(15, 23, 42)", await BackgroundAsync(Cell(page, fullT, fullP)));
        Assert.Equal("rgb(248, 250, 252)", await BackgroundAsync(Cell(page, emptyT, emptyP)));
        Assert.Equal(largest.ToString(), await page.Locator("#matrix-legend .legend").GetAttributeAsync("data-hi"));
        Assert.Equal(Invariant($"{largest:N0}"), await page.Locator("#matrix-legend .legend-hi").TextContentAsync());

        // a model that is not here: the page says so and shows the active one
        var missing = await OpenAsync(Desktop, "/test-set?model=no-such-model");
        await ResultsShownAsync(missing, "lenet5");
        Assert.Contains("There is no model no-such-model here", await missing.Locator("#model-missing").TextContentAsync());
        Assert.Empty(_consoleErrors);
    }

    [Fact]
    public async Task ACellShowsExactlyItsDigitsAPageAtATime()
    {
        var page = await OpenAsync(Desktop, "/test-set?model=lenet5");
        await ResultsShownAsync(page, "lenet5");
        var results = await ResultsAsync("lenet5");
        var mnist = TestMnist.Test;

        // the largest mistake: an off-diagonal cell, all of its digits on one page
        var (t, p) = Find(results, (t, p, n) => t != p && n == results.Confusion.SelectMany((r, i) => r.Where((_, j) => i != j)).Max());
        await Cell(page, t, p).ClickAsync();
        await CellShownAsync(page, t, p);
        Assert.Equal("true", await Cell(page, t, p).GetAttributeAsync("aria-pressed"));
        Assert.Equal(results.Cells[t][p], await ShownIndicesAsync(page));
        Assert.True(await page.Locator("#more").IsHiddenAsync());
        Assert.StartsWith($"Labelled {t} but read as ", await page.Locator("#cell-status").TextContentAsync());
        // each thumbnail is its digit's pixels, painted light to dark, and links to it on the drawing page with the model
        var links = page.Locator("#cell-digits a");
        for (int k = 0; k < results.Cells[t][p].Length; k++)
        {
            int index = results.Cells[t][p][k];
            Assert.Equal($"/#test={index}&model=lenet5", await links.Nth(k).GetAttributeAsync("href"));
            var red = await links.Nth(k).Locator("canvas").EvaluateAsync<int[]>(
                "c => Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data.filter((_, i) => i % 4 === 0))");
            var expected = mnist.Image(index).ToArray().Select(v => 248 + (15 - 248) * v / 255.0).ToArray();
            Assert.True(red.Zip(expected).All(x => Math.Abs(x.First - x.Second) <= 1), $"thumbnail of test digit {index} differs from its pixels");
        }

        // a diagonal cell holds hundreds: 48 at first, 48 more on asking
        await Cell(page, 1, 1).ClickAsync();
        await CellShownAsync(page, 1, 1);
        Assert.Equal(results.Cells[1][1].Take(48), await ShownIndicesAsync(page));
        var more = page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Show 48 more") });
        await more.ClickAsync();
        await page.Locator("#cell-digits[data-shown='96'][data-state='done']").WaitForAsync();
        Assert.Equal(results.Cells[1][1].Take(96), await ShownIndicesAsync(page));
        Assert.Equal("false", await Cell(page, t, p).GetAttributeAsync("aria-pressed"));

        // an empty cell says so
        var (emptyT, emptyP) = Find(results, (_, _, n) => n == 0);
        await Cell(page, emptyT, emptyP).ClickAsync();
        await CellShownAsync(page, emptyT, emptyP);
        Assert.Equal(0, await links.CountAsync());
        Assert.EndsWith("no test digit.", await page.Locator("#cell-status").TextContentAsync());
        Assert.Empty(_consoleErrors);
    }

    [Fact]
    public async Task ADigitOpensTheDrawingPagesLayerViewWhichReadsItAsTheMatrixSaysWithTheChosenModel()
    {
        var page = await OpenAsync(Desktop, "/test-set");
        await ResultsShownAsync(page, "lenet5");
        // another model than the active one, picked on the page: the URL names it
        await page.GetByLabel("Model to show").SelectOptionAsync("lenet5-paper");
        await ResultsShownAsync(page, "lenet5-paper");
        Assert.EndsWith("/test-set?model=lenet5-paper", page.Url);
        var results = await ResultsAsync("lenet5-paper");
        var (t, p) = Find(results, (t, p, n) => t != p && n > 0);
        await Cell(page, t, p).ClickAsync();
        await CellShownAsync(page, t, p);
        int index = results.Cells[t][p][0];

        // waiting from before the click: the navigation is seen however fast it commits
        await OpenedAsync(page, () => page.Locator($"#cell-digits a[data-index='{index}']").ClickAsync(), $"{browser.BaseUrl}/#test={index}&model=lenet5-paper");
        var answer = await AnswerAsync(page);
        Assert.Equal(p, answer.Digit);
        Assert.Equal("lenet5-paper", await page.Locator("#model").InputValueAsync());
        Assert.StartsWith($"MNIST test digit {index}, labelled {t} · lenet5-paper · ", await page.Locator("#timing").TextContentAsync());
        Assert.Equal(8, await page.Locator("#maps figure.layer").CountAsync()); // every layer's maps

        // the way back finds the model and the cell as they were left: the URL names both
        await page.GoBackAsync();
        Assert.EndsWith($"/test-set?model=lenet5-paper&cell={t}-{p}", page.Url);
        await ResultsShownAsync(page, "lenet5-paper");
        await CellShownAsync(page, t, p);
        Assert.Equal("true", await Cell(page, t, p).GetAttributeAsync("aria-pressed"));
        Assert.Equal("0", await Cell(page, t, p).GetAttributeAsync("tabindex")); // the keyboard starts from it
        Assert.Equal(results.Cells[t][p].Take(48), await ShownIndicesAsync(page));
        Assert.Empty(_consoleErrors);
    }

    [Fact]
    public async Task KeyboardAloneChoosesACellAndOpensOneOfItsDigits()
    {
        var page = await OpenAsync(Desktop, "/test-set?model=lenet5");
        await ResultsShownAsync(page, "lenet5");
        var results = await ResultsAsync("lenet5");
        var (t, p) = Find(results, (t, p, n) => t != p && n > 0);

        // Tab reaches the matrix at its first cell: one tab stop for the hundred cells
        for (int presses = 0; !await FocusedIsAsync(page, "#matrix button.cell"); presses++)
        {
            Assert.True(presses < 20, "twenty Tabs did not reach the matrix");
            await page.Keyboard.PressAsync("Tab");
        }
        Assert.Equal("0-0", await FocusedCellAsync(page));
        for (int i = 0; i < t; i++) await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("End");
        for (int i = 9; i > p; i--) await page.Keyboard.PressAsync("ArrowLeft");
        Assert.Equal($"{t}-{p}", await FocusedCellAsync(page));
        await page.Keyboard.PressAsync("Enter");
        await CellShownAsync(page, t, p);
        Assert.Equal(results.Cells[t][p].Take(48), await ShownIndicesAsync(page));
        Assert.Equal(1, await page.Locator("#matrix button.cell[tabindex='0']").CountAsync());

        // the next Tab leaves the matrix for the cell's first digit; Enter opens it
        await page.Keyboard.PressAsync("Tab");
        int index = results.Cells[t][p][0];
        Assert.True(await FocusedIsAsync(page, $"#cell-digits a[data-index='{index}']"));
        await OpenedAsync(page, () => page.Keyboard.PressAsync("Enter"), $"{browser.BaseUrl}/#test={index}&model=lenet5");
        Assert.Equal(p, (await AnswerAsync(page)).Digit);
        Assert.Equal($"{browser.BaseUrl}/#test={index}&model=lenet5", page.Url); // the link stays the page's address once answered
        Assert.Empty(_consoleErrors);
    }

    [Fact]
    public async Task NoSeriousAccessibilityViolationInEitherThemeAndAPhoneNeverScrollsSideways()
    {
        var desktop = await OpenAsync(Desktop, "/test-set?model=lenet5");
        await ResultsShownAsync(desktop, "lenet5");
        var results = await ResultsAsync("lenet5");
        var (t, p) = Find(results, (t, p, n) => t != p && n > 1);
        await Cell(desktop, t, p).ClickAsync();
        await CellShownAsync(desktop, t, p);
        var violations = await Axe.SeriousViolationsAsync(desktop, "/test-set with a cell's digits");
        await desktop.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("test-set.png"), FullPage = true });

        var phone = await OpenAsync(Phone, "/test-set?model=lenet5");
        await ResultsShownAsync(phone, "lenet5");
        await Cell(phone, 9, 9).ScrollIntoViewIfNeededAsync();
        await Cell(phone, 9, 9).TapAsync();
        await CellShownAsync(phone, 9, 9);
        violations.AddRange(await Axe.SeriousViolationsAsync(phone, "/test-set on a phone"));
        Assert.True(violations.Count == 0, Axe.Describe(violations));
        Assert.True(await phone.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways");
        // the matrix keeps cells big enough to tap (44 px), so on a phone it scrolls in its own box
        var box = (await Cell(phone, 0, 0).BoundingBoxAsync())!;
        Assert.True(box.Width >= 44 && box.Height >= 44, $"a cell is {box.Width}x{box.Height}");
        Assert.True(await phone.Locator(".matrix-scroll").EvaluateAsync<bool>("s => s.scrollWidth > s.clientWidth && s.getBoundingClientRect().right <= window.innerWidth"));
        Assert.Empty(_consoleErrors);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var context in _contexts) await context.CloseAsync();
        _api.Dispose();
    }

    private async Task<IPage> OpenAsync(BrowserNewContextOptions options, string path)
    {
        var context = await browser.Browser.NewContextAsync(options);
        _contexts.Add(context);
        return await OpenPageAsync(context, browser.BaseUrl + path, _consoleErrors);
    }

    private Task<TestSetResultsTests.Results> ResultsAsync(string model) =>
        _api.GetFromJsonAsync<TestSetResultsTests.Results>($"/api/models/{model}/test-set", ApiAssert.Json)!;

    private static Task ResultsShownAsync(IPage page, string model) =>
        page.Locator($"#results[data-state='done'][data-model='{model}']").WaitForAsync(new() { Timeout = 60_000 });

    private static Task CellShownAsync(IPage page, int t, int p) =>
        page.Locator($"#cell-digits[data-cell='{t}-{p}'][data-state='done']").WaitForAsync(new() { State = WaitForSelectorState.Attached }); // an empty cell's list has no size

    private static ILocator Cell(IPage page, int t, int p) => page.Locator($"#matrix button.cell[data-label='{t}'][data-read='{p}']");

    private static async Task<int[]> ShownIndicesAsync(IPage page) =>
        [.. (await page.Locator("#cell-digits a").EvaluateAllAsync<string[]>("links => links.map(a => a.dataset.index)")).Select(int.Parse)];

    private static Task<string> BackgroundAsync(ILocator cell) => cell.EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor");

    private static Task<bool> FocusedIsAsync(IPage page, string selector) =>
        page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) ?? false", selector);

    private static Task<string> FocusedCellAsync(IPage page) =>
        page.EvaluateAsync<string>("() => `${document.activeElement.dataset.label}-${document.activeElement.dataset.read}`");

    /// <summary>The first cell (row by row) whose label, column and count fit.</summary>
    private static (int T, int P) Find(TestSetResultsTests.Results results, Func<int, int, int, bool> fits) =>
        Enumerable.Range(0, 100).Select(c => (T: c / 10, P: c % 10)).First(c => fits(c.T, c.P, results.Confusion[c.T][c.P]));
}
