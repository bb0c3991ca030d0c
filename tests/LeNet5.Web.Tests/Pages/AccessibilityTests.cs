using System.Net;
using System.Text.Json;
using Microsoft.Playwright;

namespace LeNet5.Web.Tests.Pages;

/// <summary>
/// axe-core on every page (the drawing page idle and with an answer, the sign-in page, the admin page
/// and the review gallery with drawings in each state), in the light and the dark colour scheme and
/// with the header's theme toggle pressed to dark: no serious or critical violation. (The admin page with a finished run's results is checked where
/// <see cref="AdminPageTests"/> has trained one.)
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(BrowserFixture browser) : AdminPageSession(browser)
{
    private readonly List<string> _violations = [];

    [Fact]
    public async Task NoPageHasASeriousOrCriticalViolation()
    {
        await ContributeDrawingsAsync();

        var page = await PageDrawing.OpenDrawingPageAsync(Context, BaseUrl, ConsoleErrors);
        await CheckAsync(page, "/ before drawing");
        await PageDrawing.DrawWithMouseAsync(page, PageDrawing.Seven);
        await PageDrawing.AnswerAsync(page);
        await page.Locator("#saliency[data-state='done']").WaitForAsync();
        await CheckAsync(page, "/ with an answer");

        await page.GotoAsync(BaseUrl + "/admin");
        await page.GetByLabel("Admin token").WaitForAsync();
        await CheckAsync(page, "/login");
        await SignInAsync(page, "/admin");
        await page.Locator("#models tr[data-model]").First.WaitForAsync();
        await CheckAsync(page, "/admin");

        await page.GotoAsync(BaseUrl + "/admin/corrections");
        await page.Locator("#gallery li").First.WaitForAsync();
        await page.Locator("#filters select[name=status]").SelectOptionAsync(""); // all three states
        await page.Locator("#gallery li").Nth(2).WaitForAsync();
        await CheckAsync(page, "/admin/corrections");

        Assert.True(_violations.Count == 0, Axe.Describe(_violations));
        Assert.Empty(ConsoleErrors);
    }

    /// <summary>Three drawings for the gallery: one pending, one accepted, one rejected.</summary>
    private async Task ContributeDrawingsAsync()
    {
        using var api = AdminApi();
        var mnist = TestMnist.Load().Test;
        string?[] reviews = [null, "accept", "reject"];
        for (int i = 0; i < reviews.Length; i++)
        {
            var sent = await api.PostAsync("/api/corrections", ApiAssert.JsonBody(new { label = (int)mnist.Labels[i], pixels = mnist.Image(i).ToArray().Select(b => (int)b) }));
            long id = JsonDocument.Parse(await sent.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
            if (reviews[i] is { } review) Assert.Equal(HttpStatusCode.OK, (await api.PostAsync($"/api/corrections/{id}/{review}", null)).StatusCode);
        }
    }

    private async Task CheckAsync(IPage page, string what) => _violations.AddRange(await Axe.SeriousViolationsAsync(page, what));
}
