using Microsoft.Playwright;
using static LeNet5.Web.Tests.Support.PageDrawing;

namespace LeNet5.Web.Tests.Pages;

/// <summary>
/// Links (wwwroot/js/draw/share.js): Share puts the drawing in the URL's fragment and a fresh browser
/// opening it redraws the same strokes and gets the same answer; #test=INDEX opens an MNIST test digit;
/// a link that cannot be read is left out with a note.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LinkTests(BrowserFixture browser) : DrawingPageSession(browser), IAsyncLifetime // its own DisposeAsync closes the other contexts
{
    private readonly BrowserFixture _browser = browser;
    private readonly List<IBrowserContext> _others = [];

    [Fact]
    public async Task ASharedDrawingOpensInAFreshBrowserRedrawnAndAnsweredTheSame()
    {
        var page = await OpenAsync(Desktop);
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new BrowserContextGrantPermissionsOptions { Origin = _browser.BaseUrl });
        var share = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Share a link to this drawing" });
        Assert.True(await share.IsDisabledAsync());

        // two strokes with two pen widths, neither the default: the link keeps each stroke's own
        await SetPenAsync(page, 31);
        await DrawWithMouseAsync(page, Seven);
        await SetPenAsync(page, 13);
        await DrawWithMouseAsync(page, [(0.42f, 0.52f), (0.66f, 0.5f)]);
        var answer = await AnswerAsync(page);
        await share.ClickAsync();
        await page.Locator("#share-status", new PageLocatorOptions { HasTextString = "Link copied" }).WaitForAsync();
        var url = page.Url;
        Assert.Matches(@"/#d=[A-Za-z0-9_-]+&model=lenet5$", url);
        Assert.Equal(url, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("share-link.png") });
        var padImage = await InkAsync(page, "#pad");
        var seen = await InkAsync(page, "#seen");

        var opened = await OpenLinkAsync(url);
        await opened.Locator("#pad:not([data-version='0'])").WaitForAsync();
        var reopened = await AnswerAsync(opened);
        Assert.Equal(answer, reopened);
        Assert.Equal(await page.Locator("#verdict").TextContentAsync(), await opened.Locator("#verdict").TextContentAsync());
        Assert.Equal(await page.Locator("#confidence").TextContentAsync(), await opened.Locator("#confidence").TextContentAsync());

        // the same strokes, the same widths: the pads' ink differs only where coordinates were rounded to the link's grid
        var padAgain = await InkAsync(opened, "#pad");
        Assert.Equal(padImage.Length, padAgain.Length);
        int ink = padImage.Count(a => a > 127), inkAgain = padAgain.Count(a => a > 127);
        int differing = padImage.Zip(padAgain).Count(p => Math.Abs(p.First - p.Second) > 127);
        Assert.True(ink > 1000, $"the original pad holds {ink} ink pixels");
        Assert.True(differing <= ink / 100, $"{differing} of {ink} ink pixels differ between the pad and the link's redrawing ({inkAgain} ink there)");
        var seenAgain = await InkAsync(opened, "#seen");
        Assert.True(seen.Zip(seenAgain).All(p => Math.Abs(p.First - p.Second) <= 8), "the 28x28 the network saw differs");

        // a drawing on the opened page is the visitor's own: the URL drops the link
        await DrawWithMouseAsync(opened, One);
        await AnswerAsync(opened);
        Assert.Equal(_browser.BaseUrl + "/", opened.Url);
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task ALinkNamingAModelThatIsNotHereIsAnsweredByTheDefaultWithANote()
    {
        var page = await OpenAsync(Desktop);
        await DrawWithMouseAsync(page, Zero);
        var answer = await AnswerAsync(page);
        // a browser that refuses the clipboard: the link is shown, selected, in a read-only field
        await page.EvaluateAsync("() => { navigator.clipboard.writeText = () => Promise.reject(new DOMException('refused', 'NotAllowedError')); }");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Share a link to this drawing" }).ClickAsync();
        var field = page.GetByRole(AriaRole.Textbox, new PageGetByRoleOptions { Name = "Link to this drawing" });
        await field.WaitForAsync();
        Assert.Equal(page.Url, await field.InputValueAsync());
        Assert.True(await field.EvaluateAsync<bool>("f => f === document.activeElement && f.selectionStart === 0 && f.selectionEnd === f.value.length"));
        Assert.Empty(await Axe.SeriousViolationsAsync(page, "/ with the link to copy"));

        var opened = await OpenLinkAsync(page.Url.Replace("model=lenet5", "model=no-such-model"));
        await opened.Locator("#pad:not([data-version='0'])").WaitForAsync();
        Assert.Equal(answer, await AnswerAsync(opened));
        Assert.Contains("no-such-model, is not here", await opened.Locator("#share-status").TextContentAsync());
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task ATestDigitLinkShowsTheDigitAnswersAndNamesItsLabel()
    {
        int label = TestMnist.Test.Labels[0];
        var page = await OpenLinkAsync(_browser.BaseUrl + "/#test=0");
        var answer = await AnswerAsync(page);
        Assert.Equal((label, false), answer);
        Assert.StartsWith($"MNIST test digit 0, labelled {label} · ", await page.Locator("#timing").TextContentAsync());
        Assert.True(await page.Locator("#pad-digit").IsVisibleAsync());
        Assert.Empty(await Axe.SeriousViolationsAsync(page, "/#test=0"));
        Assert.Equal(8, await page.Locator("#maps figure.layer").CountAsync()); // every layer, as for a drawing
        // the 28x28 the network saw is the test digit shown on the pad (MNIST digits are already laid out), painted alike
        Assert.Equal(await InkAsync(page, "#pad-digit", channel: 0), await InkAsync(page, "#seen", channel: 0));

        var share = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Share a link to this drawing" });
        await share.ClickAsync();
        await page.Locator("#share-status:not(:empty)").WaitForAsync();
        Assert.EndsWith("/#test=0&model=lenet5", page.Url);

        // drawing takes the test digit's place
        await DrawWithMouseAsync(page, One);
        Assert.Equal(1, (await AnswerAsync(page)).Digit);
        Assert.True(await page.Locator("#pad-digit").IsHiddenAsync());
        Assert.DoesNotContain("MNIST", await page.Locator("#timing").TextContentAsync());
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task ALinkThatCannotBeReadIsLeftOutWithANoteAndThePageStillWorks()
    {
        var page = await OpenAsync(Desktop);
        await DrawWithMouseAsync(page, Seven);
        await AnswerAsync(page);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Share a link to this drawing" }).ClickAsync();
        await page.Locator("#share-status:not(:empty)").WaitForAsync();
        var d = new Uri(page.Url).Fragment.Split('&')[0]["#d=".Length..];

        string[] fragments =
        [
            $"#d={d[..(d.Length / 2)]}", // the compressed stream cut short
            "#d=" + Deflated([1, 1, 0, 160, 1, 2, 0]), // well compressed, but the drawing cut short (a point without its y)
            "#d=" + Deflated([2, 1, 0, 160, 1, 1, 0, 0]), // a version this page does not know
            "#d=%%%&model=lenet5", "#d=AAAAAAAA", "#test=10000", "#test=abc", "#d=" + new string('A', 70_000),
        ];
        foreach (var fragment in fragments)
        {
            var opened = await OpenLinkAsync(_browser.BaseUrl + "/" + fragment);
            await opened.Locator("#share-status:not(:empty)").WaitForAsync();
            Assert.True(await opened.Locator("#share-status").IsVisibleAsync(), fragment);
            Assert.Equal("0", await opened.Locator("#pad").GetAttributeAsync("data-version"));
            await DrawWithMouseAsync(opened, One);
            Assert.Equal(1, (await AnswerAsync(opened)).Digit);
            await opened.Context.CloseAsync();
            _others.Remove(opened.Context);
        }
        Assert.Empty(ConsoleErrors);
    }

    public new async Task DisposeAsync()
    {
        foreach (var context in _others) await context.CloseAsync();
        await base.DisposeAsync();
    }

    /// <summary>Opens the URL in a browser context of its own (a fresh browser: no storage, no history), collecting its console errors too.</summary>
    private async Task<IPage> OpenLinkAsync(string url)
    {
        var context = await _browser.Browser.NewContextAsync(Desktop);
        _others.Add(context);
        var page = await context.NewPageAsync();
        page.Console += (_, message) => { if (message.Type == "error") ConsoleErrors.Add(message.Text); };
        page.PageError += (_, error) => ConsoleErrors.Add(error);
        await page.GotoAsync(url);
        await page.Locator("#pad").WaitForAsync();
        return page;
    }

    /// <summary>Bytes as a link carries them: deflate-raw (what DeflateStream writes), base64url.</summary>
    private static string Deflated(byte[] bytes)
    {
        using var buffer = new MemoryStream();
        using (var deflate = new System.IO.Compression.DeflateStream(buffer, System.IO.Compression.CompressionLevel.Optimal)) deflate.Write(bytes);
        return Convert.ToBase64String(buffer.ToArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static Task SetPenAsync(IPage page, int width) =>
        page.EvaluateAsync("w => { const pen = document.getElementById('pen'); pen.value = String(w); pen.dispatchEvent(new Event('input')); }", width);

    /// <summary>One channel of every pixel of a canvas (alpha by default: a pad's ink is opaque on a transparent canvas).</summary>
    private static Task<int[]> InkAsync(IPage page, string selector, int channel = 3) =>
        page.Locator(selector).EvaluateAsync<int[]>(
            "(c, channel) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === channel))", channel);
}
