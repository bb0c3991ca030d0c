using LeNet5.Core.Training;
using LeNet5.Core.Networks;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace LeNet5.Web.Tests.Pages;

/// <summary>
/// The admin page in Chromium (the browser collection's), against its own app on a real loopback
/// port with a temp data folder and a temp copy of the models: sign in, train, watch, activate, draw.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminPageTests(BrowserFixture browser) : AdminPageSession(browser)
{
    [Fact]
    public async Task SignInTrainWatchItLearnActivateTheModelAndDrawWithIt()
    {
        var page = await NewPageAsync();

        // the page asks for the token once
        await page.GotoAsync(BaseUrl + "/admin");
        Assert.EndsWith("/login?ReturnUrl=%2Fadmin", page.Url, StringComparison.Ordinal);
        await SignInAsync(page, "/admin");

        // every value the progress bar and the loss curve take, recorded by the page as it sets them: polled
        // from here, a slow machine can let the whole run pass between two looks
        await page.EvaluateAsync("""
            () => {
              window.shown = { progress: [], lossPoints: [] };
              const record = (id, attribute, values) => new MutationObserver(() => values.push(Number(document.getElementById(id).getAttribute(attribute))))
                .observe(document.getElementById(id), { attributes: true, attributeFilter: [attribute] });
              record("progress", "data-progress", window.shown.progress);
              record("loss-chart", "data-points", window.shown.lossPoints);
            }
            """);

        // a short run
        await page.Locator("input[name=trainLimit]").FillAsync("6000");
        await page.Locator("input[name=epochs]").FillAsync("2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start training" }).ClickAsync();
        await page.Locator("#live[data-status='running']").WaitForAsync(new() { Timeout = WaitMs });
        await WaitForNumberAsync(page, "#error-chart", "data-points", 0); // epoch 1: train and test error
        Assert.NotEqual("–", await page.Locator("#stat-ips").TextContentAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("admin-live.png"), FullPage = true });

        // it finishes: the error plot has both epochs, the results show, the model is listed
        await page.Locator("#live[data-status='completed']").WaitForAsync(new() { Timeout = WaitMs });

        // on the way, the progress bar moved through the run (a value between none and all, then all) and the
        // loss curve grew point by point
        var progress = await page.EvaluateAsync<double[]>("() => window.shown.progress");
        var lossPoints = await page.EvaluateAsync<int[]>("() => window.shown.lossPoints");
        Assert.Contains(progress, p => p > 0 && p < 1);
        Assert.Equal(1, progress[^1]);
        Assert.True(lossPoints.Where(n => n > 0).Distinct().Count() >= 2, $"the loss curve showed {string.Join(", ", lossPoints)} points");
        Assert.Equal("4", await page.Locator("#error-chart").GetAttributeAsync("data-points"));
        Assert.Equal("1", await page.Locator("#progress").GetAttributeAsync("data-progress"));
        await page.Locator("#results").WaitForAsync();
        Assert.Equal(10, await page.Locator("#confusion tbody tr").CountAsync());
        Assert.True(await page.Locator("#mistakes li canvas").CountAsync() > 0);
        var violations = await Axe.SeriousViolationsAsync(page, "/admin with a finished run"); // the results, badges and charts
        Assert.True(violations.Count == 0, Axe.Describe(violations));
        var runId = await page.Locator("#live").GetAttributeAsync("data-run");
        var modelId = $"run-{runId}-lenet5";
        var modelRow = page.Locator($"#models tr[data-model='{modelId}']");
        await modelRow.WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Screenshot("admin-done.png"), FullPage = true });

        // its ONNX file downloads from the row
        var onnx = await page.RunAndWaitForDownloadAsync(() => modelRow.GetByRole(AriaRole.Link, new() { Name = $"Download ONNX: {modelId}.onnx" }).ClickAsync());
        Assert.Equal($"{modelId}.onnx", onnx.SuggestedFilename);
        Assert.Null(await onnx.FailureAsync());

        // activate it
        await modelRow.GetByRole(AriaRole.Button, new() { Name = $"Activate {modelId} as the active model" }).ClickAsync();
        await modelRow.Locator(".badge-active").WaitForAsync();
        Assert.True(await modelRow.GetByRole(AriaRole.Button, new() { Name = $"Delete model {modelId}" }).IsDisabledAsync());

        // the drawing page answers with it
        await page.GotoAsync(BaseUrl + "/");
        var answer = page.WaitForResponseAsync(r => r.Url.Contains("/api/predict", StringComparison.Ordinal) && r.Status == 200);
        await DrawOneAsync(page);
        var json = JsonDocument.Parse(await (await answer).TextAsync()).RootElement;
        Assert.Equal(modelId, json.GetProperty("model").GetString());
        await page.Locator("#result[data-state='done']").WaitForAsync();
        Assert.Equal("1", await page.Locator("#result").GetAttributeAsync("data-digit"));
        Assert.DoesNotContain(ConsoleErrors, e => !e.Contains("favicon", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheFormShowsTheRecipeOfTheChosenNetworkAndPooling()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(BaseUrl + "/admin");
        await SignInAsync(page, "/admin");
        var batch = page.Locator("input[name=batchSize]");
        var scale = page.Locator("input[name=learningRateScale]");
        var recipe = TrainingRecipes.For(new Architecture(Architecture.LeNet5));
        Assert.Equal(recipe.BatchSize.ToString(CultureInfo.InvariantCulture), await batch.GetAttributeAsync("placeholder"));

        // the paper's network takes its own batch and scale, and the placeholders follow the choice
        await page.Locator("select[name=pooling]").SelectOptionAsync("subsampling");
        Assert.Equal(TrainingRecipes.SubsamplingBatchSize.ToString(CultureInfo.InvariantCulture), await batch.GetAttributeAsync("placeholder"));
        Assert.Equal(TrainingRecipes.SubsamplingLearningRateScale.ToString(CultureInfo.InvariantCulture), await scale.GetAttributeAsync("placeholder"));
        await page.Locator("select[name=pooling]").SelectOptionAsync("average");
        Assert.Equal(recipe.BatchSize.ToString(CultureInfo.InvariantCulture), await batch.GetAttributeAsync("placeholder"));

        // and the ablations their smaller curvature sample
        var samples = page.Locator("input[name=sdlmSamples]");
        Assert.Equal(recipe.SdlmSamples.ToString(CultureInfo.InvariantCulture), await samples.GetAttributeAsync("placeholder"));
        // (a network without pooling layers takes its one recipe whatever pooling is left chosen)
        await page.Locator("select[name=pooling]").SelectOptionAsync("subsampling");
        await page.Locator("select[name=architecture]").SelectOptionAsync(Architecture.NoPoolFc);
        Assert.Equal(TrainingRecipes.AblationSdlmSamples.ToString(CultureInfo.InvariantCulture), await samples.GetAttributeAsync("placeholder"));
        var ablation = TrainingRecipes.For(new Architecture(Architecture.NoPoolFc));
        Assert.Equal(ablation.BatchSize.ToString(CultureInfo.InvariantCulture), await batch.GetAttributeAsync("placeholder"));
    }

    [Fact]
    public async Task WhenTheSessionEndsTheLiveViewStopsAndSaysSo()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(BaseUrl + "/admin");
        await SignInAsync(page, "/admin");
        await page.Locator("input[name=trainLimit]").FillAsync("6000");
        await page.Locator("input[name=epochs]").FillAsync("20");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start training" }).ClickAsync();
        await page.Locator("#live[data-status='running']").WaitForAsync(new() { Timeout = WaitMs });
        Assert.True(await page.Locator("#signed-out").IsHiddenAsync());

        // the session ends under the page (as a sign-out in another tab or a new admin token would); the next stream it opens is refused
        var runId = await page.Locator("#live").GetAttributeAsync("data-run");
        await Context.ClearCookiesAsync();
        int streams = 0;
        page.Request += (_, request) => { if (request.Url.EndsWith($"/api/training/{runId}/events", StringComparison.Ordinal)) streams++; };
        await page.GetByRole(AriaRole.Button, new() { Name = $"View run {runId}" }).ClickAsync();
        await page.Locator("#signed-out").WaitForAsync(new() { Timeout = WaitMs });
        Assert.Contains("signed out", await page.Locator("#signed-out").TextContentAsync());
        Assert.Equal("/login?ReturnUrl=%2Fadmin", await page.Locator("#signed-out a").GetAttributeAsync("href"));

        // and it does not keep knocking: EventSource would retry every few seconds
        int seen = streams;
        await page.WaitForTimeoutAsync(4000);
        Assert.Equal(seen, streams);
    }

    /// <summary>Waits until an attribute holds a number above <paramref name="above"/>; returns it.</summary>
    private static async Task<double> WaitForNumberAsync(IPage page, string selector, string attribute, double above)
    {
        await page.WaitForFunctionAsync(
            "([s, a, v]) => Number(document.querySelector(s).getAttribute(a)) > v",
            new object[] { selector, attribute, above }, new() { Timeout = WaitMs, PollingInterval = 50 });
        return double.Parse((await page.Locator(selector).GetAttributeAsync(attribute))!, CultureInfo.InvariantCulture);
    }

    /// <summary>A "1": one vertical stroke down the middle of the pad.</summary>
    private static async Task DrawOneAsync(IPage page)
    {
        var box = (await page.Locator("#pad").BoundingBoxAsync())!;
        await page.Mouse.MoveAsync(box.X + box.Width * 0.52f, box.Y + box.Height * 0.15f);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width * 0.49f, box.Y + box.Height * 0.85f, new MouseMoveOptions { Steps = 12 });
        await page.Mouse.UpAsync();
    }

    private static string Screenshot(string name)
    {
        Directory.CreateDirectory(RepoPaths.ScreenshotsDirectory);
        return Path.Combine(RepoPaths.ScreenshotsDirectory, name);
    }
}
