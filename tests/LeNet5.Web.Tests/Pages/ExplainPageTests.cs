using LeNet5.Core.Networks;
using Microsoft.Playwright;
using static LeNet5.Web.Tests.Support.PageDrawing;

namespace LeNet5.Web.Tests.Pages;

/// <summary>Watching it think, in a real Chromium: inspecting units, the saliency map, the dreams and a nudge, with a mouse and on a phone.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ExplainPageTests(BrowserFixture browser) : DrawingPageSession(browser)
{
    /// <summary>The S2 maps lit as feeding the inspected unit, by index.</summary>
    private static Task<int[]> FedS2MapsAsync(IPage page) =>
        page.EvaluateAsync<int[]>("() => [...document.querySelectorAll('figure.layer-s2 canvas.map')].flatMap((c, i) => c.classList.contains('feeds') ? [i] : [])");

    [Fact]
    public async Task HoveringAC3UnitHighlightsExactlyTheS2MapsTheTableConnects()
    {
        var page = await OpenAsync(Desktop);
        await DrawWithMouseAsync(page, Seven);
        await AnswerAsync(page);
        var c3 = page.Locator("figure.layer-c3 canvas[data-unit-map]");
        await c3.First.WaitForAsync();
        for (int o = 0; o < Architecture.C3Table.Length; o++)
        {
            await c3.Nth(o).HoverAsync();
            await page.Locator($"#inspector[data-layer='c3'][data-map='{o}']").WaitForAsync();
            Assert.Equal(Architecture.C3Table[o].Order(), await FedS2MapsAsync(page));
            // the receptive field reaches the input, and C1's maps under the S2 maps it sees
            Assert.Equal(1, await page.Locator("figure.layer-input canvas.feeds").CountAsync());
            Assert.Equal(Architecture.C3Table[o].Length, await page.Locator("figure.layer-c1 canvas.feeds").CountAsync());
            Assert.Equal(1, await page.Locator("figure.layer-c3 canvas.inspected").CountAsync());
            Assert.Equal(Architecture.C3Table[o].Length, await page.Locator("#inspector .kernel-strip canvas.kernel").CountAsync());
        }
        Assert.Contains("weighted sum = bias", await page.Locator("#inspector").TextContentAsync());
        await page.Locator(".maps-panel").ScreenshotAsync(new LocatorScreenshotOptions { Path = Screenshot("inspect-unit.png") });

        // by keyboard: a C1 map takes focus and the arrow keys move the unit
        var c1 = page.Locator("figure.layer-c1 canvas[data-unit-map]").Nth(2);
        await c1.FocusAsync();
        await page.Locator("#inspector[data-layer='c1'][data-map='2']").WaitForAsync();
        var before = await page.Locator("#inspector h3").TextContentAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        Assert.NotEqual(before, await page.Locator("#inspector h3").TextContentAsync());

        // the kernels: C1's 6, and C3's 60 as Table I
        Assert.Equal(6, await page.Locator("#kernels .kernel-row canvas.kernel").CountAsync());
        Assert.Equal(60, await page.Locator("#table-one [data-connected]").CountAsync());
        Assert.Equal(96, await page.Locator("#table-one .t-cell").CountAsync());
        await page.Locator(".kernels-panel").ScreenshotAsync(new LocatorScreenshotOptions { Path = Screenshot("kernels.png") });
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task TheSaliencyOverlayRendersForTheAnswerAndTheRunnerUp()
    {
        var page = await OpenAsync(Desktop);
        await DrawWithMouseAsync(page, Seven);
        var (digit, _) = await AnswerAsync(page);
        await page.Locator($"#saliency[data-state='done'][data-target='{digit}']").WaitForAsync();
        Assert.False(await BlankAsync(page, "#saliency-map"));

        await page.Locator("#why-on-pad").CheckAsync();
        await page.Locator("#pad-saliency:not([hidden])").WaitForAsync();
        Assert.False(await BlankAsync(page, "#pad-saliency"));

        await page.Locator("#why-runner").ClickAsync();
        await page.Locator($"#saliency[data-state='done']:not([data-target='{digit}'])").WaitForAsync();
        Assert.StartsWith("What would make it a", await page.Locator("#saliency-caption").TextContentAsync());
        await page.Locator(".workspace").ScreenshotAsync(new LocatorScreenshotOptions { Path = Screenshot("saliency-drawing.png") });
        await page.Locator(".why-panel").ScreenshotAsync(new LocatorScreenshotOptions { Path = Screenshot("saliency.png") });
        Assert.Empty(ConsoleErrors);
    }

    private static Task<bool> BlankAsync(IPage page, string selector) =>
        page.Locator(selector).EvaluateAsync<bool>(@"c => {
            const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 4; i < data.length; i += 4)
              if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2] || data[i + 3] !== data[3]) return false;
            return true;
          }");

    [Fact]
    public async Task EachDreamSentBackIsReadAsItsOwnDigit()
    {
        var page = await OpenAsync(Desktop);
        await page.Locator("#dreams[data-state='done']").WaitForAsync(new LocatorWaitForOptions { Timeout = 60_000 });
        var dreams = await page.Locator("#dreams figure.dream").EvaluateAllAsync<string[][]>("fs => fs.map(f => [f.dataset.digit, f.dataset.read])");
        Assert.Equal(10, dreams.Length);
        for (int d = 0; d < 10; d++) Assert.Equal([d.ToString(), d.ToString()], dreams[d]);
        await page.Locator(".dreams-panel").ScreenshotAsync(new LocatorScreenshotOptions { Path = Screenshot("dreams.png") });

        // choosing one shows the network's answer for it
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Show every layer for the dream of 4" }).ClickAsync();
        await page.Locator("#result[data-state='done'][data-digit='4']").WaitForAsync();
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task ANudgeTowardAnotherDigitFlipsThePagesAnswer()
    {
        var page = await OpenAsync(Desktop);
        await DrawWithMouseAsync(page, Seven);
        Assert.Equal(7, (await AnswerAsync(page)).Digit);
        await page.Locator("#nudge-targets button[data-target='3']:not([disabled])").ClickAsync();
        await page.Locator("#nudge[data-state='done'][data-digit='3']").WaitForAsync();
        await page.Locator("#result[data-state='done'][data-digit='3']").WaitForAsync();
        Assert.Contains("nudged toward 3", await page.Locator("#timing").TextContentAsync());
        Assert.Contains("the network now reads a 3", await page.Locator("#nudge").TextContentAsync());
        await page.Locator(".nudge-panel").ScreenshotAsync(new LocatorScreenshotOptions { Path = Screenshot("nudge.png") });

        // a new drawing is answered for itself, not the nudge
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Clear the drawing" }).ClickAsync();
        await DrawWithMouseAsync(page, One);
        Assert.Equal(1, (await AnswerAsync(page)).Digit);
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task TappingAUnitOnAPhoneInspectsIt()
    {
        var page = await OpenAsync(Phone);
        await page.Locator("#pad").ScrollIntoViewIfNeededAsync();
        await DrawWithTouchAsync(page, Seven);
        await AnswerAsync(page);
        var unit = page.Locator("figure.layer-c3 canvas[data-unit-map]").Nth(9);
        await unit.TapAsync();
        await page.Locator("#inspector[data-layer='c3'][data-map='9']").WaitForAsync();
        Assert.Equal(Architecture.C3Table[9].Order(), await FedS2MapsAsync(page));
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        await page.Locator("#inspector").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("phone-inspect.png") });
        Assert.Empty(ConsoleErrors);
    }
}
