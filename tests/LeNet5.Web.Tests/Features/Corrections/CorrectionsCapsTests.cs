using System.Globalization;
using System.Net;
using System.Text.Json;
using Xunit.Abstractions;
using LeNet5.Web.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Features.Corrections;

/// <summary>
/// What bounds the contributed drawings a visitor can make the server keep: the strokes and points of
/// one, the drawings and bytes of all (507, nothing stored, never overshot by concurrent posts), the
/// drawings of one client a day (429 with Retry-After, counted in the database), and the reviewer's
/// bulk reject and delete that frees room. Each test has its own data folder.
/// </summary>
public sealed class CorrectionsCapsTests(ITestOutputHelper output) : IDisposable
{
    private readonly AdminApp _app = new();
    private readonly List<LeNet5WebFactory> _factories = [];

    public void Dispose()
    {
        foreach (var factory in _factories) factory.Dispose();
        _app.Dispose();
    }

    /// <summary>An app over this test's data folder (the same one every time, as after a restart), with these settings.</summary>
    private LeNet5WebFactory Start(params (string Key, string Value)[] settings)
    {
        var factory = _app.Factory(settings);
        _factories.Add(factory);
        return factory;
    }

    /// <summary>A drawing of its own: seeded ink in the middle of the 28x28, so no two seeds are the same drawing.</summary>
    private static int[] Pixels(int seed)
    {
        var random = new Random(seed);
        var pixels = new int[784];
        for (int y = 8; y < 20; y++)
            for (int x = 10; x < 18; x++) pixels[y * 28 + x] = random.Next(64, 256);
        return pixels;
    }

    /// <summary>Strokes as the drawing page sends them: points along a curve, 4 decimals, 8 ms apart.</summary>
    private static object[] Strokes(int strokes, int pointsEach) =>
    [
        .. Enumerable.Range(0, strokes).Select(s => new
        {
            pointerType = "mouse",
            width = 0.0714,
            points = Enumerable.Range(0, pointsEach).Select(i =>
            {
                double a = 2 * Math.PI * (s * pointsEach + i) / (strokes * pointsEach);
                return new[] { Math.Round(0.5 + 0.3123 * Math.Sin(a), 4), Math.Round(0.5 - 0.3517 * Math.Cos(a), 4), Math.Round(8.3 * (s * pointsEach + i) + 1000.1, 1) };
            }).ToArray(),
        }),
    ];

    private static Task<HttpResponseMessage> ContributeAsync(HttpClient client, int seed, object[]? strokes = null) =>
        client.PostAsync("/api/corrections", ApiAssert.JsonBody(strokes is null ? new { label = 1, pixels = Pixels(seed) } : new { label = 1, pixels = Pixels(seed), strokes }));

    private static async Task<long> StoredAsync(HttpClient client, int seed, object[]? strokes = null)
    {
        var response = await ContributeAsync(client, seed, strokes);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"expected 201, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
    }

    private static async Task<long[]> IdsAsync(HttpClient admin, string query = "")
    {
        var page = JsonDocument.Parse(await admin.GetStringAsync("/api/corrections?limit=500&" + query)).RootElement;
        return [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64())];
    }

    private static async Task<JsonElement> BulkAsync(HttpClient admin, object body)
    {
        var response = await admin.PostAsync("/api/corrections/bulk", ApiAssert.JsonBody(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task PastTheDrawingCapAContributionIs507AndNothingIsStored()
    {
        var factory = Start(("Corrections:MaxDrawings", "3"));
        var client = factory.CreateClient();
        for (int seed = 0; seed < 3; seed++) await StoredAsync(client, seed);
        var problem = await ApiAssert.Problem(await ContributeAsync(client, 3), HttpStatusCode.InsufficientStorage);
        Assert.Contains("Corrections:MaxDrawings", problem.GetProperty("title").GetString());
        Assert.Equal(3, (await IdsAsync(AdminApp.Admin(factory))).Length);
        // a drawing stored before is still found: nothing new is kept for it
        Assert.Equal(HttpStatusCode.OK, (await ContributeAsync(client, 0)).StatusCode);
    }

    [Fact]
    public async Task PastTheByteCapAContributionIs507AndNothingIsStored()
    {
        // a drawing without strokes counts its 784 pixels and its probabilities (about 1 KB); 600 points are about 14 KB more
        var factory = Start(("Corrections:MaxStoredBytes", "10000"));
        var client = factory.CreateClient();
        await StoredAsync(client, 0);
        var problem = await ApiAssert.Problem(await ContributeAsync(client, 1, Strokes(2, 300)), HttpStatusCode.InsufficientStorage);
        Assert.Contains("Corrections:MaxStoredBytes", problem.GetProperty("title").GetString());
        var admin = AdminApp.Admin(factory);
        Assert.Single(await IdsAsync(admin));
        await StoredAsync(client, 2); // a small one still fits: the cap is on bytes, not drawings
        Assert.Equal(2, (await IdsAsync(admin)).Length);
    }

    [Fact]
    public async Task PastTheDailyCapAClientGets429WithRetryAfterAndARestartForgetsNothing()
    {
        (string, string) cap = ("Corrections:MaxDrawingsPerClientPerDay", "2");
        using (var first = _app.Factory(cap))
        {
            var client = first.CreateClient();
            await StoredAsync(client, 0);
            await StoredAsync(client, 1);
            await RefusedForTheDayAsync(client, 2);
        }
        var again = Start(cap);
        await RefusedForTheDayAsync(again.CreateClient(), 3);
        Assert.Equal(2, (await IdsAsync(AdminApp.Admin(again))).Length);
        // what the database keeps of the client is a hash, not its address
        var kept = again.Services.GetRequiredService<Database>().Scalar("SELECT group_concat(DISTINCT client_hash) FROM corrections;") as string;
        Assert.Matches("^[0-9a-f]{64}$", kept);

        static async Task RefusedForTheDayAsync(HttpClient client, int seed)
        {
            var refused = await ContributeAsync(client, seed);
            var problem = await ApiAssert.Problem(refused, HttpStatusCode.TooManyRequests);
            Assert.Contains("24 hours", problem.GetProperty("title").GetString());
            var wait = refused.Headers.RetryAfter?.Delta;
            Assert.NotNull(wait);
            Assert.InRange(wait.Value.TotalHours, 23, 24); // when the oldest of the two is a day old
        }
    }

    public static TheoryData<string, string, string> TooMuchInOneDrawing() => new()
    {
        { "31 strokes", JsonSerializer.Serialize(Strokes(31, 1)), "Corrections:MaxStrokes" },
        { "3001 points", JsonSerializer.Serialize(Strokes(1, 3001)), "Corrections:MaxPoints" },
        { "3001 points over 3 strokes", JsonSerializer.Serialize(Strokes(3, 1000).Append(Strokes(1, 1)[0])), "Corrections:MaxPoints" },
    };

    [Theory]
    [MemberData(nameof(TooMuchInOneDrawing))]
    public async Task TooManyStrokesOrPointsIsA400NamingTheFieldAndTheSetting(string what, string strokes, string setting)
    {
        var factory = Start();
        var body = $"{{\"label\":1,\"pixels\":{JsonSerializer.Serialize(Pixels(0))},\"strokes\":{strokes}}}";
        var response = await factory.CreateClient().PostAsync("/api/corrections", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await ApiAssert.Problem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").GetProperty("strokes")[0].GetString()!.Contains(setting, StringComparison.Ordinal), $"{what}: {problem}");
        Assert.Empty(await IdsAsync(AdminApp.Admin(factory)));
    }

    [Theory]
    [InlineData("Corrections:MaxDrawings", HttpStatusCode.InsufficientStorage)]
    [InlineData("Corrections:MaxDrawingsPerClientPerDay", HttpStatusCode.TooManyRequests)]
    public async Task ConcurrentContributionsNeverOvershootTheCap(string setting, HttpStatusCode refusal)
    {
        var factory = Start((setting, "5"));
        var client = factory.CreateClient();
        var answers = await Task.WhenAll(Enumerable.Range(0, 20).Select(seed => ContributeAsync(client, seed)));
        var statuses = answers.Select(a => a.StatusCode).ToList();
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(15, statuses.Count(s => s == refusal));
        Assert.Equal(5, (await IdsAsync(AdminApp.Admin(factory))).Length);
    }

    [Fact]
    public async Task BulkRejectAndDeleteNameDrawingsByStatusAndIdAndDeletingFreesRoomUnderTheCap()
    {
        var factory = Start(("Corrections:MaxDrawings", "4"));
        var client = factory.CreateClient();
        var admin = AdminApp.Admin(factory);
        var ids = new List<long>();
        for (int seed = 0; seed < 4; seed++) ids.Add(await StoredAsync(client, seed));
        await ApiAssert.Problem(await ContributeAsync(client, 4), HttpStatusCode.InsufficientStorage);

        var rejected = await BulkAsync(admin, new { action = "reject", ids = new[] { ids[0], ids[1] } });
        Assert.Equal(("reject", 2), (rejected.GetProperty("action").GetString(), rejected.GetProperty("count").GetInt32()));
        Assert.Equal([ids[1], ids[0]], await IdsAsync(admin, "status=rejected"));
        Assert.Equal(0, (await BulkAsync(admin, new { action = "reject", ids = new[] { ids[0] } })).GetProperty("count").GetInt32()); // rejected already
        Assert.Equal(0, (await BulkAsync(admin, new { action = "delete", status = "accepted" })).GetProperty("count").GetInt32());

        Assert.Equal(2, (await BulkAsync(admin, new { action = "delete", status = "rejected" })).GetProperty("count").GetInt32());
        Assert.Equal([ids[3], ids[2]], await IdsAsync(admin));
        await StoredAsync(client, 4); // the room the deleted ones took
        await StoredAsync(client, 5);
        await ApiAssert.Problem(await ContributeAsync(client, 6), HttpStatusCode.InsufficientStorage);

        // status and ids together: only the drawings that are both
        Assert.Equal(1, (await BulkAsync(admin, new { action = "delete", status = "pending", ids = new[] { ids[2], ids[0] } })).GetProperty("count").GetInt32());
        Assert.DoesNotContain(ids[2], await IdsAsync(admin));
        await StoredAsync(client, 6);
    }

    public static TheoryData<string, string> BadBulkBodies() => new()
    {
        { "{\"action\":\"burn\",\"ids\":[1]}", "action" },
        { "{\"ids\":[1]}", "action" },
        { "{\"action\":\"delete\"}", "ids" },
        { "{\"action\":\"delete\",\"ids\":[-1]}", "ids" },
        { "{\"action\":\"delete\",\"ids\":\"1\"}", "ids" },
        { "{\"action\":\"delete\",\"status\":\"maybe\"}", "status" },
    };

    [Theory]
    [MemberData(nameof(BadBulkBodies))]
    public async Task ABulkReviewThatDoesNotSayWhatAndWhichIsA400AndChangesNothing(string body, string field)
    {
        var factory = Start();
        await StoredAsync(factory.CreateClient(), 0);
        var admin = AdminApp.Admin(factory);
        var response = await admin.PostAsync("/api/corrections/bulk", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await ApiAssert.Problem(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Equal("pending", JsonDocument.Parse(await admin.GetStringAsync("/api/corrections/1")).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task BulkReviewIsForTheAdminOnly()
    {
        var factory = Start();
        var client = factory.CreateClient();
        long id = await StoredAsync(client, 0);
        var body = new { action = "delete", ids = new[] { id } };
        await ApiAssert.Problem(await client.PostAsync("/api/corrections/bulk", ApiAssert.JsonBody(body)), HttpStatusCode.Unauthorized);
        var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/corrections/bulk") { Content = ApiAssert.JsonBody(body) };
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-the-token");
        await ApiAssert.Problem(await client.SendAsync(wrong), HttpStatusCode.Unauthorized);
        Assert.Equal([id], await IdsAsync(AdminApp.Admin(factory)));
    }

    /// <summary>
    /// The disk a drawing takes: the database's pages before and after storing typical drawings (two
    /// strokes, 200 points: a digit drawn in about a second) and the largest allowed (30 strokes, 3000
    /// points), against what the byte cap counts for them. The file may take more than the count (ids,
    /// times, hashes, indexes, part-filled pages), but not so much more that the cap stops bounding it.
    /// </summary>
    [Fact]
    public async Task TheByteCapCountsAboutWhatADrawingTakesOnDisk()
    {
        const int Each = 20;
        var factory = Start();
        var client = factory.CreateClient();
        var database = factory.Services.GetRequiredService<Database>();
        long Pages() => Convert.ToInt64(database.Scalar("PRAGMA page_count;"), CultureInfo.InvariantCulture) * Convert.ToInt64(database.Scalar("PRAGMA page_size;"), CultureInfo.InvariantCulture);
        long Counted() => Convert.ToInt64(database.Scalar("SELECT COALESCE(SUM(stored_bytes), 0) FROM corrections;"), CultureInfo.InvariantCulture);
        await StoredAsync(client, 1000); // the tables' and indexes' first pages

        async Task<(double File, double Counted)> MeasureAsync(string what, int firstSeed, object[] strokes)
        {
            long file = Pages(), counted = Counted();
            for (int seed = firstSeed; seed < firstSeed + Each; seed++) await StoredAsync(client, seed, strokes);
            var perDrawing = ((Pages() - file) / (double)Each, (Counted() - counted) / (double)Each);
            output.WriteLine($"{what}: {perDrawing.Item1:N0} bytes of database file per drawing, {perDrawing.Item2:N0} counted by Corrections:MaxStoredBytes");
            return perDrawing;
        }

        var typical = await MeasureAsync("typical (2 strokes, 200 points)", 0, Strokes(2, 100));
        var largest = await MeasureAsync("largest (30 strokes, 3000 points)", 100, Strokes(30, 100));
        Assert.InRange(largest.File / largest.Counted, 0.8, 1.25);
        Assert.InRange(typical.File, 0, 2.5 * typical.Counted);
    }
}
