using System.Net;
using System.Text.Json;
using Microsoft.Playwright;

namespace LeNet5.Web.Tests.Pages;

/// <summary>
/// The corrections loop in Chromium, against its own app on a real loopback port with a temp data
/// folder: draw a digit, mark it wrong with the right digit, sign in, find it in the gallery, accept it
/// from the keyboard, and train a short run on the accepted drawings that reports the corrections error.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CorrectionsLoopTests(BrowserFixture browser) : AdminPageSession(browser)
{
    /// <summary>A 1 with a flag and a base, the kind MNIST seldom has.</summary>
    private static readonly (float X, float Y)[][] FlaggedOne =
    [
        [(0.36f, 0.32f), (0.56f, 0.14f), (0.56f, 0.84f)],
        [(0.38f, 0.85f), (0.74f, 0.85f)],
    ];

    [Fact]
    public async Task DrawMarkItWrongReviewAcceptAndTrainOnTheCorrections()
    {
        // earlier visitors' drawings, already reviewed (MNIST test digits stand in): ids 1-12 include test drawings
        using var api = AdminApi();
        var mnist = TestMnist.Load().Test;
        for (int i = 0; i < 12; i++)
        {
            var sent = await api.PostAsync("/api/corrections", ApiAssert.JsonBody(new { label = (int)mnist.Labels[i], pixels = mnist.Image(i).ToArray().Select(b => (int)b) }));
            long id = JsonDocument.Parse(await sent.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
            Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/corrections/{id}/accept", null)).StatusCode);
        }

        // a visitor draws, gets an answer, and says it is a 1
        var page = await PageDrawing.OpenDrawingPageAsync(Context, BaseUrl, ConsoleErrors);
        Assert.True(await page.Locator("#correct").IsHiddenAsync()); // nothing to correct before an answer
        await PageDrawing.DrawWithMouseAsync(page, FlaggedOne);
        var (digit, _) = await PageDrawing.AnswerAsync(page);
        var offer = page.Locator("#correct");
        await offer.WaitForAsync();
        Assert.Contains("only a keyed hash of your address", await offer.Locator(".correct-note").TextContentAsync());
        var contributed = page.WaitForResponseAsync(r => r.Url.EndsWith("/api/corrections", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Button, new() { Name = "It's a 1" }).ClickAsync();
        var response = await contributed;
        Assert.Equal(201, response.Status);
        var request = JsonDocument.Parse(response.Request.PostData!).RootElement;
        Assert.Equal(1, request.GetProperty("label").GetInt32());
        Assert.Equal(digit, request.GetProperty("predicted").GetInt32());
        var strokes = request.GetProperty("strokes");
        Assert.Equal(2, strokes.GetArrayLength());
        Assert.Equal("mouse", strokes[0].GetProperty("pointerType").GetString());
        Assert.True(strokes[0].GetProperty("points").GetArrayLength() > 3);
        Assert.True(strokes[1].GetProperty("points")[0][2].GetDouble() > 0); // time since the drawing began
        await page.Locator("#correct[data-state='sent']").WaitForAsync();
        long drawingId = long.Parse((await offer.GetAttributeAsync("data-id"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"#{drawingId}", await page.Locator("#correct-status").TextContentAsync());
        await page.Locator(".result-panel").ScreenshotAsync(new() { Path = PageDrawing.Screenshot("correct-it.png") });

        // the admin signs in and finds it in the gallery of pending drawings, with its label and the model's answer
        await page.GotoAsync(BaseUrl + "/admin/corrections");
        await SignInAsync(page, "/admin/corrections");
        var card = page.Locator($"#gallery li[data-id='{drawingId}']");
        await card.WaitForAsync();
        Assert.Equal("1", await card.GetAttributeAsync("data-label"));
        Assert.Contains($"said {digit}", await card.TextContentAsync());
        Assert.Equal("1", await page.Locator("#gallery").GetAttributeAsync("data-count"));
        Assert.Equal("1", await page.Locator("#counts tr[data-row='pending'] td[data-digit='1']").TextContentAsync());
        await page.ScreenshotAsync(new() { Path = PageDrawing.Screenshot("review.png"), FullPage = true });

        // Enter accepts the chosen drawing: it leaves the pending gallery, whose empty state explains the loop
        await card.ClickAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("#empty").WaitForAsync();
        Assert.Equal("0", await page.Locator("#gallery").GetAttributeAsync("data-count"));
        Assert.Contains("Wrong? It's a", await page.Locator("#empty").TextContentAsync());
        var kept = JsonDocument.Parse(await api.GetStringAsync($"/api/corrections/{drawingId}")).RootElement;
        Assert.Equal(("accepted", 1), (kept.GetProperty("status").GetString(), kept.GetProperty("label").GetInt32()));

        // a short run that fine-tunes the shipped model on the accepted drawings reports their test error beside MNIST's
        await page.GotoAsync(BaseUrl + "/admin");
        await page.Locator("input[name=trainLimit]").FillAsync("2000");
        await page.Locator("input[name=epochs]").FillAsync("2");
        await page.Locator("input[name=schedule]").FillAsync("1:0.00005");
        await page.Locator("input[name=correctionsWeight]").FillAsync("5");
        await page.Locator("select[name=baseModel]").SelectOptionAsync("lenet5");
        await page.GetByRole(AriaRole.Button, new() { Name = "Start training" }).ClickAsync();
        await page.Locator("#live[data-status='completed']").WaitForAsync(new() { Timeout = WaitMs });
        var corrections = await page.Locator("#stat-corrections").TextContentAsync();
        Assert.Matches(@"^\d+(\.\d+)?%$", corrections);
        Assert.Equal("6", await page.Locator("#error-chart").GetAttributeAsync("data-points")); // train, test and corrections, two epochs
        var note = await page.Locator("#live-note").TextContentAsync();
        Assert.Contains("test correction", note);
        Assert.Contains("from lenet5", note);
        await page.Locator("#live").ScreenshotAsync(new() { Path = PageDrawing.Screenshot("admin-corrections.png") });
        Assert.DoesNotContain(ConsoleErrors, e => !e.Contains("favicon", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheKeyboardRelabelsRejectsAndRemovesAndOneButtonDeletesEveryRejectedDrawing()
    {
        using var api = AdminApi();
        var mnist = TestMnist.Load().Test;
        for (int i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Created, (await api.PostAsync("/api/corrections", ApiAssert.JsonBody(new { label = 2, pixels = mnist.Image(i).ToArray().Select(b => (int)b) }))).StatusCode);

        var page = await NewPageAsync();
        await page.GotoAsync(BaseUrl + "/admin/corrections");
        await SignInAsync(page, "/admin/corrections");
        await page.Locator("#gallery[data-count='3']").WaitForAsync();
        // newest first: 3, 2, 1; each verdict takes the chosen drawing out of the pending gallery and moves on to the next
        await page.Locator("#gallery li[data-id='3']").ClickAsync();
        await page.Keyboard.PressAsync("7");
        await page.Locator("#gallery[data-count='2']").WaitForAsync();
        await page.Keyboard.PressAsync("x");
        await page.Locator("#gallery[data-count='1']").WaitForAsync();
        await page.Keyboard.PressAsync("Delete");
        await page.Locator("#empty").WaitForAsync(); // the empty gallery itself has no height to be visible by
        Assert.Equal("0", await page.Locator("#gallery").GetAttributeAsync("data-count"));

        JsonElement Get(long id) => JsonDocument.Parse(api.GetStringAsync($"/api/corrections/{id}").Result).RootElement;
        Assert.Equal(("accepted", 7), (Get(3).GetProperty("status").GetString(), Get(3).GetProperty("label").GetInt32()));
        Assert.Equal("rejected", Get(2).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/corrections/1")).StatusCode);
        Assert.Equal("1", await page.Locator("#counts tr[data-row='accepted'] td[data-digit='7']").TextContentAsync());
        Assert.Equal("1", await page.Locator("#counts tr[data-row='rejected'] td[data-digit='2']").TextContentAsync());

        // one button, once confirmed, deletes every rejected drawing (POST /api/corrections/bulk), freeing their room under the caps
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await page.Locator("#delete-rejected").ClickAsync();
        await page.Locator("#review-status:has-text('1 rejected drawing deleted.')").WaitForAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync("/api/corrections/2")).StatusCode);
        Assert.Equal("0", await page.Locator("#counts tr[data-row='rejected'] td[data-digit='2']").TextContentAsync());
        Assert.Equal("accepted", Get(3).GetProperty("status").GetString());
        Assert.DoesNotContain(ConsoleErrors, e => !e.Contains("favicon", StringComparison.Ordinal));
    }
}
