using System.Net;
using System.Text.Json;

namespace LeNet5.Web.Tests.Features.Training;

/// <summary>The run list comes a page at a time, and the event streams open at once are bounded.</summary>
public sealed class RunListTests : IDisposable
{
    private readonly AdminApp _app = new();

    public void Dispose() => _app.Dispose();

    private static async Task<long> StartAndCancelAsync(HttpClient client)
    {
        long id = await AdminApp.StartAsync(client, new { trainLimit = 500, epochs = 100 });
        await client.PostAsync($"/api/training/{id}/cancel", null);
        await AdminApp.WaitForStatusAsync(client, id, "canceled");
        return id;
    }

    private static async Task<long[]> IdsAsync(HttpClient client, string query) =>
        [.. (await ApiAssert.Json.Deserialize<JsonElement[]>(client, "/api/training" + query)).Select(r => r.GetProperty("id").GetInt64())];

    [Fact]
    public async Task RunsComeNewestFirstAPageAtATime()
    {
        using var factory = _app.Factory();
        var client = AdminApp.Admin(factory);
        long[] ids = [await StartAndCancelAsync(client), await StartAndCancelAsync(client), await StartAndCancelAsync(client)];
        Assert.Equal(ids.Reverse(), await IdsAsync(client, ""));
        Assert.Equal([ids[2], ids[1]], await IdsAsync(client, "?limit=2"));
        Assert.Equal([ids[0]], await IdsAsync(client, $"?limit=2&before={ids[1]}"));
        var page = await ApiAssert.Json.Deserialize<JsonElement[]>(client, "/api/training?limit=1");
        Assert.Equal(ids[2], page.Single().GetProperty("id").GetInt64());
    }

    [Fact]
    public async Task OneEventStreamMoreThanTrainingMaxEventStreamsIs503WithRetryAfter()
    {
        var settings = _app.Settings;
        settings["Training:MaxEventStreams"] = "1";
        using var factory = LeNet5WebFactory.With(settings);
        var client = AdminApp.Admin(factory);
        long id = await AdminApp.StartAsync(client, new { trainLimit = 500, epochs = 100 });
        try
        {
            var first = await client.GetAsync($"/api/training/{id}/events", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            var refused = await client.GetAsync($"/api/training/{id}/events", HttpCompletionOption.ResponseHeadersRead);
            await ApiAssert.Problem(refused, HttpStatusCode.ServiceUnavailable);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
            first.Dispose();
            await AdminApp.WaitForAsync(client, id, _ => true, "readable"); // the first stream's slot is given back when its response ends
            HttpStatusCode again = HttpStatusCode.ServiceUnavailable;
            for (int i = 0; i < 50 && again != HttpStatusCode.OK; i++)
            {
                using var next = await client.GetAsync($"/api/training/{id}/events", HttpCompletionOption.ResponseHeadersRead);
                again = next.StatusCode;
                if (again != HttpStatusCode.OK) await Task.Delay(100);
            }
            Assert.Equal(HttpStatusCode.OK, again);
        }
        finally
        {
            await client.PostAsync($"/api/training/{id}/cancel", null);
        }
    }
}
