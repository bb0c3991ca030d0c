using Microsoft.Playwright;
using static LeNet5.Web.Tests.Support.PageDrawing;

namespace LeNet5.Web.Tests.Pages;

/// <summary>
/// The dark theme: the pages follow the system's colour scheme until the header's toggle picks one,
/// which the browser remembers (localStorage) and applies before the first paint.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ThemeTests(BrowserFixture browser) : DrawingPageSession(browser)
{
    private static readonly BrowserNewContextOptions DarkDesktop = new(Desktop) { ColorScheme = ColorScheme.Dark };

    private const string PageBackground = "() => getComputedStyle(document.documentElement).backgroundColor";

    [Fact]
    public async Task ASystemInDarkGetsTheDarkThemeAndTheTogglesLightPickSurvivesAReload()
    {
        var page = await OpenAsync(DarkDesktop);
        var toggle = page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" });
        Assert.Equal("true", await toggle.GetAttributeAsync("aria-pressed"));
        Assert.True(Luminance(await page.EvaluateAsync<string>(PageBackground)) < 0.05, "the page is not dark");
        Assert.True(Luminance(await page.EvaluateAsync<string>("() => getComputedStyle(document.body).color")) > 0.6, "the text is not light");

        await DrawWithMouseAsync(page, Seven);
        Assert.Equal(7, (await AnswerAsync(page)).Digit);
        await page.Locator("#saliency[data-state='done']").WaitForAsync();
        string darkTicks = await page.EvaluateAsync<string>("() => Chart.defaults.color");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("draw-dark.png"), FullPage = true });

        await toggle.ClickAsync();
        Assert.Equal("false", await toggle.GetAttributeAsync("aria-pressed"));
        Assert.True(Luminance(await page.EvaluateAsync<string>(PageBackground)) > 0.8, "the toggle did not make the page light");
        Assert.NotEqual(darkTicks, await page.EvaluateAsync<string>("() => Chart.defaults.color")); // the charts follow

        await page.ReloadAsync();
        await page.Locator("#pad").WaitForAsync();
        Assert.Equal("light", await page.EvaluateAsync<string>("() => localStorage.getItem('theme')"));
        Assert.Equal("false", await toggle.GetAttributeAsync("aria-pressed"));
        Assert.True(Luminance(await page.EvaluateAsync<string>(PageBackground)) > 0.8, "the light pick was forgotten");

        await toggle.ClickAsync(); // dark again, as the system is: the pick is dropped
        Assert.Null(await page.EvaluateAsync<string?>("() => localStorage.getItem('theme')"));
        Assert.True(Luminance(await page.EvaluateAsync<string>(PageBackground)) < 0.05);
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task AStoredDarkPickIsOnHtmlBeforeTheBodyIsParsed()
    {
        var page = await OpenAsync(Desktop);
        await page.EvaluateAsync("() => localStorage.setItem('theme', 'dark')");
        // the first paint needs the body: note the theme on <html> when the parser adds it
        await page.Context.AddInitScriptAsync(@"new MutationObserver((_, observer) => {
            if (!document.body) return;
            window.themeAtBody = document.documentElement.dataset.theme ?? 'none';
            observer.disconnect();
        }).observe(document, { childList: true, subtree: true });");
        await page.ReloadAsync();
        await page.Locator("#pad").WaitForAsync();
        Assert.Equal("dark", await page.EvaluateAsync<string>("() => window.themeAtBody"));
        Assert.True(Luminance(await page.EvaluateAsync<string>(PageBackground)) < 0.05);
        Assert.Equal("true", await page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" }).GetAttributeAsync("aria-pressed"));
        Assert.Empty(ConsoleErrors);
    }

    [Fact]
    public async Task ReducedMotionTurnsTransitionsOff()
    {
        var page = await OpenAsync(new BrowserNewContextOptions(Desktop) { ReducedMotion = ReducedMotion.Reduce });
        var duration = await page.EvaluateAsync<string>(@"() => {
            const probe = document.createElement('div');
            probe.style.transition = 'opacity 1s';
            document.body.append(probe);
            return getComputedStyle(probe).transitionDuration;
        }");
        Assert.Equal("0s", duration);
    }

    /// <summary>The relative luminance (WCAG) of a computed colour, "rgb(r, g, b)".</summary>
    private static double Luminance(string rgb)
    {
        var channels = rgb[(rgb.IndexOf('(') + 1)..rgb.IndexOf(')')].Split(',', ' ', '/')
            .Where(p => p.Length > 0).Take(3).Select(p => double.Parse(p, System.Globalization.CultureInfo.InvariantCulture) / 255).ToArray();
        double Linear(double c) => c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
        return 0.2126 * Linear(channels[0]) + 0.7152 * Linear(channels[1]) + 0.0722 * Linear(channels[2]);
    }
}
