using Microsoft.Playwright;
using static LeNet5.Web.Tests.Support.PageDrawing;

namespace LeNet5.Web.Tests.Pages;

/// <summary>A person drawing digits on the page, with a mouse on a desktop and a finger on a phone.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DrawingTests(BrowserFixture browser) : DrawingPageSession(browser)
{
    private Task<IPage> OpenDesktopAsync() => OpenAsync(Desktop);

    [Fact]
    public async Task AOneAZeroAndASevenDrawnWithTheMouseAreRecognised()
    {
        var page = await OpenDesktopAsync();
        var clear = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Clear the drawing" });
        foreach (var (digit, strokes) in new[] { (1, new[] { One }), (0, new[] { Zero }), (7, new[] { Seven }) })
        {
            await DrawWithMouseAsync(page, strokes);
            var answer = await AnswerAsync(page);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot($"draw-{digit}.png") });
            Assert.Equal(digit, answer.Digit);
            Assert.False(answer.Rejected, $"a drawn {digit} was rejected");
            Assert.Equal(digit.ToString(), (await page.Locator("#digit").TextContentAsync())?.Trim());
            // the default answers as the shipped committee, and the page says who voted what
            var committee = page.Locator("#committee");
            Assert.True(await committee.IsVisibleAsync());
            var votes = string.Join(", ", LeNet5.Core.Models.ShippedModels.Committee.Select(m => System.Text.RegularExpressions.Regex.Escape(m) + @" reads \d \(\d{1,3}%\)"));
            Assert.Matches($"^A committee answered: {votes}; the answer is the mean of their probabilities\\.$", await committee.TextContentAsync());
            await clear.ClickAsync();
            await page.Locator("#result[data-state='idle']").WaitForAsync();
            Assert.False(await committee.IsVisibleAsync());
        }
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task AScribbleIsAnsweredNotSure()
    {
        var page = await OpenDesktopAsync();
        // crossing the whole pad out, back and forth
        var zigzag = Enumerable.Range(0, 12).Select(i => (i % 2 == 0 ? 0.12f : 0.88f, 0.12f + i * 0.07f)).ToArray();
        await DrawWithMouseAsync(page, zigzag);
        var answer = await AnswerAsync(page);
        Assert.True(answer.Rejected, $"a scribble was read as a sure {answer.Digit}");
        Assert.StartsWith("Not sure", await page.Locator("#verdict").TextContentAsync());
        Assert.Equal("?", (await page.Locator("#digit").TextContentAsync())?.Trim());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("not-sure.png") });
    }

    [Fact]
    public async Task TheFeatureMapsOfEveryLayerRender()
    {
        var page = await OpenDesktopAsync();
        await DrawWithMouseAsync(page, Seven);
        await AnswerAsync(page);
        var layers = await page.Locator("#maps figure.layer").EvaluateAllAsync<string[]>("figures => figures.map(f => f.dataset.layer)");
        Assert.Equal(["input", "c1.tanh", "s2", "c3.tanh", "s4", "c5.tanh", "f6.tanh", "rbf"], layers);
        Assert.Equal(6, await page.Locator("figure.layer-c1 canvas.map").CountAsync());
        Assert.Equal(16, await page.Locator("figure.layer-c3 canvas.map").CountAsync());
        Assert.Equal(2, await page.Locator("figure.layer-f6 canvas.map").CountAsync()); // F6 and the winning prototype

        // every canvas on the page (maps, the 28x28 input, the chart) holds an image, not a blank
        var blank = await page.EvaluateAsync<string[]>(@"() => [...document.querySelectorAll('#maps canvas, #seen, #chart')]
            .filter(c => {
              const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
              for (let i = 4; i < data.length; i += 4)
                if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2] || data[i + 3] !== data[3]) return false;
              return true;
            })
            .map(c => c.getAttribute('aria-label') || c.id)");
        Assert.Empty(blank);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("feature-maps.png"), FullPage = true });
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task UndoTakesBackTheLastStrokeAndTheButtonsAreReachableByKeyboard()
    {
        var page = await OpenDesktopAsync();
        await DrawWithMouseAsync(page, One);
        await AnswerAsync(page);
        var undo = page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Undo the last stroke" });
        await undo.FocusAsync();
        Assert.True(await undo.EvaluateAsync<bool>("b => b === document.activeElement && b.tabIndex >= 0"));
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#result[data-state='idle']").WaitForAsync();
        Assert.True(await undo.IsDisabledAsync());
        Assert.Equal("?", (await page.Locator("#digit").TextContentAsync())?.Trim());
    }

    [Fact]
    public async Task DrawingWithAFingerOnAPhoneWorksAndDoesNotScrollThePage()
    {
        var page = await OpenAsync(Phone);
        await page.Locator("#pad").ScrollIntoViewIfNeededAsync();
        var scrolled = await page.EvaluateAsync<double>("() => window.scrollY");
        var pointerTypes = new List<string>();
        await page.ExposeFunctionAsync("reportPointer", (string type) => { lock (pointerTypes) pointerTypes.Add(type); });
        await page.EvaluateAsync("() => document.getElementById('pad').addEventListener('pointerdown', e => window.reportPointer(e.pointerType))");

        await DrawWithTouchAsync(page, Seven);
        var answer = await AnswerAsync(page);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("phone.png") });

        Assert.Contains("touch", pointerTypes);
        Assert.Equal(7, answer.Digit);
        Assert.Equal(scrolled, await page.EvaluateAsync<double>("() => window.scrollY"));
        // the page fits the phone's width: nothing sticks out sideways
        Assert.True(await page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth"));
        Assert.Empty(ConsoleErrors);
    }
}
