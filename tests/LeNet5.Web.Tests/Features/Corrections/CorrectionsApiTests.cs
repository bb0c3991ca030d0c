using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using LeNet5.Core.Data;

namespace LeNet5.Web.Tests.Features.Corrections;

/// <summary>
/// <c>POST /api/corrections</c> and the review API: what is kept, duplicates, every bad input (a problem,
/// nothing stored), admin authentication, review, filters, counts, export read back with IdxReader, the
/// switch and the per-client limit. Each test has its own app and database.
/// </summary>
public sealed class CorrectionsApiTests : IDisposable
{
    private readonly AdminApp _app = new();
    private readonly LeNet5WebFactory _factory;
    private readonly HttpClient _public;
    private readonly HttpClient _admin;

    public CorrectionsApiTests()
    {
        _factory = _app.Factory();
        _public = _factory.CreateClient();
        _admin = AdminApp.Admin(_factory);
    }

    public void Dispose()
    {
        _factory.Dispose();
        _app.Dispose();
    }

    private static int[] Digit(int testIndex) => [.. TestMnist.Load().Test.Image(testIndex).ToArray().Select(b => (int)b)];

    private static int LabelOf(int testIndex) => TestMnist.Load().Test.Labels[testIndex];

    private static readonly object[] TwoStrokes =
    [
        new { pointerType = "mouse", width = 0.07, points = new[] { new[] { 0.5, 0.1, 0.0 }, new[] { 0.5, 0.9, 120.5 } } },
        new { pointerType = "touch", width = 0.1, points = new[] { new[] { 0.3, 0.5, 400.0 } } },
    ];

    private async Task<long> ContributeAsync(object body, HttpStatusCode expected = HttpStatusCode.Created)
    {
        var response = await _public.PostAsync("/api/corrections", ApiAssert.JsonBody(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        long id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
        if (expected == HttpStatusCode.Created) Assert.Equal($"/api/corrections/{id}", response.Headers.Location?.OriginalString);
        return id;
    }

    private async Task<JsonElement> JsonAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<int> TotalAsync() => (await JsonAsync(_admin, "/api/corrections")).GetProperty("total").GetInt32();

    [Fact]
    public async Task ADrawingIsKeptWithTheModelsOwnAnswerItsStrokesAndNothingAboutWhoSentIt()
    {
        var pixels = Digit(0);
        var predicted = await ApiAssert.Prediction(await _public.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels })));
        int wrongLabel = (predicted.Digit + 3) % 10;
        long id = await ContributeAsync(new { label = wrongLabel, pixels, strokes = TwoStrokes, predicted = predicted.Digit, model = "lenet5" });

        var kept = await JsonAsync(_admin, $"/api/corrections/{id}");
        Assert.Equal(wrongLabel, kept.GetProperty("label").GetInt32());
        Assert.Equal("pending", kept.GetProperty("status").GetString());
        Assert.Equal(predicted.Digit, kept.GetProperty("predicted").GetInt32());
        Assert.Equal("lenet5", kept.GetProperty("model").GetString());
        Assert.Equal(predicted.Probabilities, kept.GetProperty("probabilities").EnumerateArray().Select(p => p.GetDouble()).ToArray(), new ToleranceComparer(1e-6));
        Assert.Equal(pixels, kept.GetProperty("pixels").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(2, kept.GetProperty("strokes").GetInt32());
        Assert.Equal(3, kept.GetProperty("points").GetInt32());
        Assert.True(kept.GetProperty("createdAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        // what the database row holds: no column for an address, a client or a header
        var names = kept.EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.DoesNotContain(names, n => n.Contains("ip", StringComparison.OrdinalIgnoreCase) || n.Contains("agent", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task AnImageIsPreparedExactlyAsPredictPreparesIt()
    {
        var png = TestImages.MnistPng(TestMnist.Load().Test.Image(7));
        string dataUrl = "data:image/png;base64," + Convert.ToBase64String(png);
        var details = await ApiAssert.Prediction(await _public.PostAsync("/api/predict?details=true", ApiAssert.JsonBody(new { image = dataUrl })));
        long id = await ContributeAsync(new { label = LabelOf(7), image = dataUrl });
        var kept = await JsonAsync(_admin, $"/api/corrections/{id}");
        Assert.Equal(details.Input!.Select(v => (int)Math.Round(v)), kept.GetProperty("pixels").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(details.Digit, kept.GetProperty("predicted").GetInt32());
        Assert.Equal(0, kept.GetProperty("strokes").GetInt32());
    }

    [Fact]
    public async Task TheSameDrawingIsStoredOnce()
    {
        long first = await ContributeAsync(new { label = 3, pixels = Digit(1) });
        var again = await _public.PostAsync("/api/corrections", ApiAssert.JsonBody(new { label = 5, pixels = Digit(1) }));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var body = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(first, body.GetProperty("id").GetInt64());
        Assert.True(body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(1, await TotalAsync());
        Assert.Equal(3, (await JsonAsync(_admin, $"/api/corrections/{first}")).GetProperty("label").GetInt32()); // the first label stands
    }

    public static TheoryData<string, string, int> BadBodies()
    {
        string pixels = JsonSerializer.Serialize(Digit(2));
        string Stroke(int points) => $"{{\"pointerType\":\"pen\",\"width\":0.05,\"points\":[{string.Join(",", Enumerable.Repeat("[0.5,0.5,1]", points))}]}}";
        return new()
        {
            { "label 10", $"{{\"label\":10,\"pixels\":{pixels}}}", 400 },
            { "label -1", $"{{\"label\":-1,\"pixels\":{pixels}}}", 400 },
            { "label as a string", $"{{\"label\":\"7\",\"pixels\":{pixels}}}", 400 },
            { "label 2.5", $"{{\"label\":2.5,\"pixels\":{pixels}}}", 400 },
            { "no label", $"{{\"pixels\":{pixels}}}", 400 },
            { "no image", "{\"label\":4}", 400 },
            { "both images", $"{{\"label\":4,\"pixels\":{pixels},\"image\":\"data:image/png;base64,AAAA\"}}", 400 },
            { "blank pixels", $"{{\"label\":4,\"pixels\":{JsonSerializer.Serialize(new int[784])}}}", 422 },
            { "blank image", $"{{\"label\":4,\"image\":\"data:image/png;base64,{Convert.ToBase64String(TestImages.Plain(280, 280, new SixLabors.ImageSharp.PixelFormats.Rgba32(255, 255, 255, 255)))}\"}}", 422 },
            { "short pixels", "{\"label\":4,\"pixels\":[1,2,3]}", 400 },
            { "predicted 12", $"{{\"label\":4,\"predicted\":12,\"pixels\":{pixels}}}", 400 },
            { "an unknown field", $"{{\"label\":4,\"pixels\":{pixels},\"email\":\"someone@example.com\"}}", 400 },
            { "too many points", $"{{\"label\":4,\"pixels\":{pixels},\"strokes\":[{Stroke(3000)},{Stroke(2001)}]}}", 400 },
            { "too many strokes", $"{{\"label\":4,\"pixels\":{pixels},\"strokes\":[{string.Join(",", Enumerable.Repeat(Stroke(1), 101))}]}}", 400 },
            { "a point off the pad", $"{{\"label\":4,\"pixels\":{pixels},\"strokes\":[{{\"pointerType\":\"pen\",\"width\":0.05,\"points\":[[1.5,0.5,1]]}}]}}", 400 },
            { "a point that is not a number", $"{{\"label\":4,\"pixels\":{pixels},\"strokes\":[{{\"pointerType\":\"pen\",\"width\":0.05,\"points\":[[\"a\",0.5,1]]}}]}}", 400 },
            { "a stroke wider than the pad", $"{{\"label\":4,\"pixels\":{pixels},\"strokes\":[{{\"pointerType\":\"pen\",\"width\":3,\"points\":[[0.5,0.5,1]]}}]}}", 400 },
            { "an unknown pointer", $"{{\"label\":4,\"pixels\":{pixels},\"strokes\":[{{\"pointerType\":\"nose\",\"width\":0.05,\"points\":[[0.5,0.5,1]]}}]}}", 400 },
            { "a stroke with more in it", $"{{\"label\":4,\"pixels\":{pixels},\"strokes\":[{{\"pointerType\":\"pen\",\"width\":0.05,\"points\":[[0.5,0.5,1]],\"name\":\"x\"}}]}}", 400 },
            { "an array", "[4]", 400 },
            { "malformed JSON", "{\"label\":4,", 400 },
            { "an unknown model", $"{{\"label\":4,\"model\":\"nope\",\"pixels\":{pixels}}}", 404 },
        };
    }

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadInputIsAProblemAndStoresNothing(string what, string body, int status)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/corrections") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Accept.ParseAdd("text/html"); // the one error model, whatever Accept says
        var problem = await ApiAssert.Problem(await _public.SendAsync(request), (HttpStatusCode)status);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()), what);
        Assert.Equal(0, await TotalAsync());
    }

    [Fact]
    public async Task AnotherContentTypeOrAnOversizedBodyIsRefused()
    {
        await ApiAssert.Problem(await _public.PostAsync("/api/corrections", Bodies.Raw(TestImages.MnistPng(TestMnist.Load().Test.Image(0)), "image/png")),
            HttpStatusCode.UnsupportedMediaType);
        using var small = _app.Factory(("Corrections:MaxBodyBytes", "2048"));
        var big = new { label = 1, pixels = Digit(3), strokes = TwoStrokes };
        await ApiAssert.Problem(await small.CreateClient().PostAsync("/api/corrections", ApiAssert.JsonBody(big)), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, await TotalAsync());
    }

    [Theory]
    [InlineData("GET", "/api/corrections")]
    [InlineData("GET", "/api/corrections/1")]
    [InlineData("GET", "/api/corrections/export")]
    [InlineData("POST", "/api/corrections/1/accept")]
    [InlineData("POST", "/api/corrections/1/relabel")]
    [InlineData("POST", "/api/corrections/1/reject")]
    [InlineData("DELETE", "/api/corrections/1")]
    public async Task ReviewingIsForTheAdminOnly(string method, string path)
    {
        long id = await ContributeAsync(new { label = 1, pixels = Digit(4) });
        Assert.Equal(1, id);
        var anonymous = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : ApiAssert.JsonBody(new { label = 2 }) };
        await ApiAssert.Problem(await _public.SendAsync(anonymous), HttpStatusCode.Unauthorized);
        var wrong = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : ApiAssert.JsonBody(new { label = 2 }) };
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "not-the-token");
        await ApiAssert.Problem(await _public.SendAsync(wrong), HttpStatusCode.Unauthorized);
        var kept = await JsonAsync(_admin, "/api/corrections/1");
        Assert.Equal(("pending", 1), (kept.GetProperty("status").GetString(), kept.GetProperty("label").GetInt32()));
    }

    [Fact]
    public async Task AReviewerAcceptsRelabelsRejectsAndRemovesAndTheFiltersAndCountsFollow()
    {
        long a = await ContributeAsync(new { label = 7, pixels = Digit(0) });
        long b = await ContributeAsync(new { label = 2, pixels = Digit(1) });
        long c = await ContributeAsync(new { label = 5, pixels = Digit(2) });
        long d = await ContributeAsync(new { label = 5, pixels = Digit(3) });

        Assert.Equal("accepted", (await PostJsonAsync($"/api/corrections/{a}/accept", null)).GetProperty("status").GetString());
        var relabeled = await PostJsonAsync($"/api/corrections/{b}/relabel", new { label = 9 });
        Assert.Equal((9, "accepted"), (relabeled.GetProperty("label").GetInt32(), relabeled.GetProperty("status").GetString()));
        Assert.Equal("rejected", (await PostJsonAsync($"/api/corrections/{c}/reject", null)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NoContent, (await _admin.DeleteAsync($"/api/corrections/{d}")).StatusCode);
        await ApiAssert.Problem(await _admin.GetAsync($"/api/corrections/{d}"), HttpStatusCode.NotFound);

        var all = await JsonAsync(_admin, "/api/corrections");
        Assert.Equal(3, all.GetProperty("total").GetInt32());
        Assert.Equal([c, b, a], all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64())); // newest first
        var counts = all.GetProperty("counts").EnumerateArray().ToDictionary(x => x.GetProperty("label").GetInt32());
        Assert.Equal(10, counts.Count);
        Assert.Equal(1, counts[7].GetProperty("accepted").GetInt32());
        Assert.Equal(1, counts[9].GetProperty("accepted").GetInt32());
        Assert.Equal(1, counts[5].GetProperty("rejected").GetInt32());
        Assert.Equal(0, counts[2].GetProperty("pending").GetInt32() + counts[2].GetProperty("accepted").GetInt32());

        async Task<long[]> Ids(string query) =>
            [.. (await JsonAsync(_admin, "/api/corrections?" + query)).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64())];
        Assert.Equal([b, a], await Ids("status=accepted"));
        Assert.Equal([c], await Ids("status=rejected"));
        Assert.Equal([b], await Ids("label=9"));
        Assert.Equal([b], await Ids("label=9&status=accepted"));
        Assert.Empty(await Ids("label=9&status=pending"));
        Assert.Equal([c, b, a], await Ids("model=lenet5"));
        Assert.Empty(await Ids("model=other"));
        var predictedOfA = (await JsonAsync(_admin, $"/api/corrections/{a}")).GetProperty("predicted").GetInt32();
        Assert.Contains(a, await Ids($"predicted={predictedOfA}"));
        Assert.Equal([c], await Ids("limit=1"));
        Assert.Equal([b], await Ids($"limit=1&before={c}"));
        var page = await JsonAsync(_admin, "/api/corrections?limit=2");
        Assert.Equal(b, page.GetProperty("next").GetInt64());

        await ApiAssert.Problem(await _admin.GetAsync("/api/corrections?status=maybe"), HttpStatusCode.BadRequest);
        await ApiAssert.Problem(await _admin.GetAsync("/api/corrections?label=11"), HttpStatusCode.BadRequest);
        await ApiAssert.Problem(await _admin.PostAsync($"/api/corrections/{a}/relabel", ApiAssert.JsonBody(new { label = 10 })), HttpStatusCode.BadRequest);
        await ApiAssert.Problem(await _admin.PostAsync($"/api/corrections/{a}/relabel", ApiAssert.JsonBody(new { digit = 1 })), HttpStatusCode.BadRequest);
        await ApiAssert.Problem(await _admin.PostAsync("/api/corrections/999/accept", null), HttpStatusCode.NotFound);
        await ApiAssert.Problem(await _admin.PostAsync("/api/corrections/999/reject", null), HttpStatusCode.NotFound);
        await ApiAssert.Problem(await _admin.PostAsync("/api/corrections/999/relabel", ApiAssert.JsonBody(new { label = 1 })), HttpStatusCode.NotFound);
        await ApiAssert.Problem(await _admin.DeleteAsync("/api/corrections/999"), HttpStatusCode.NotFound);
    }

    private async Task<JsonElement> PostJsonAsync(string path, object? body)
    {
        var response = await _admin.PostAsync(path, body is null ? null : ApiAssert.JsonBody(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"POST {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    [Fact]
    public async Task TheExportOfTheAcceptedSetReadsBackWithTheProjectsIdxReader()
    {
        await ApiAssert.Problem(await _admin.GetAsync("/api/corrections/export"), HttpStatusCode.Conflict);
        var ids = new List<long>();
        for (int i = 0; i < 6; i++) ids.Add(await ContributeAsync(new { label = LabelOf(10 + i), pixels = Digit(10 + i) }));
        foreach (var id in ids.Take(5)) await PostJsonAsync($"/api/corrections/{id}/accept", null);
        await PostJsonAsync($"/api/corrections/{ids[1]}/relabel", new { label = 0 });
        await PostJsonAsync($"/api/corrections/{ids[4]}/reject", null); // rejected and pending drawings stay out

        var response = await _admin.GetAsync("/api/corrections/export");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("corrections.zip", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()));
        byte[] Read(string name)
        {
            using var stream = zip.GetEntry(name)!.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }
        var images = IdxReader.ReadImages(Read("corrections-images-idx3-ubyte"));
        var labels = IdxReader.ReadLabels(Read("corrections-labels-idx1-ubyte"));
        Assert.Equal((4, 28, 28), (images.Count, images.Rows, images.Cols));
        Assert.Equal(new[] { LabelOf(10), 0, LabelOf(12), LabelOf(13) }, labels.Select(l => (int)l));
        for (int i = 0; i < 4; i++)
            Assert.Equal(Digit(10 + i), images.Pixels.AsSpan(i * 784, 784).ToArray().Select(b => (int)b));
        var manifest = Encoding.UTF8.GetString(Read("manifest.csv")).TrimEnd('\n').Split('\n');
        Assert.Equal("index,id,label,split,predicted,model,created_at,reviewed_at", manifest[0]);
        Assert.Equal(5, manifest.Length);
        var second = manifest[2].Split(',');
        Assert.Equal(("1", ids[1].ToString(System.Globalization.CultureInfo.InvariantCulture), "0", "lenet5"), (second[0], second[1], second[2], second[5]));
        Assert.All(manifest.Skip(1), line => Assert.Contains(line.Split(',')[3], new[] { "train", "test" }));
    }

    [Fact]
    public async Task TurnedOffTheEndpointAnswersAProblemAndTheDrawingPageOffersNothing()
    {
        using var off = _app.Factory(("Corrections:Enabled", "false"));
        var client = off.CreateClient();
        await ApiAssert.Problem(await client.PostAsync("/api/corrections", ApiAssert.JsonBody(new { label = 1, pixels = Digit(0) })), HttpStatusCode.NotFound);
        Assert.DoesNotContain("id=\"correct\"", await client.GetStringAsync("/"));
        Assert.Contains("id=\"correct\"", await _public.GetStringAsync("/"));
    }

    [Fact]
    public async Task EachClientMayContributeOnlySoManyDrawingsAWindow()
    {
        using var limited = _app.Factory(("RateLimit:CorrectionsPermitLimit", "2"));
        var client = limited.CreateClient();
        for (int i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/corrections", ApiAssert.JsonBody(new { label = 1, pixels = Digit(20 + i) }))).StatusCode);
        var refused = await client.PostAsync("/api/corrections", ApiAssert.JsonBody(new { label = 1, pixels = Digit(22) }));
        var problem = await ApiAssert.Problem(refused, HttpStatusCode.TooManyRequests);
        Assert.Contains("RateLimit:CorrectionsPermitLimit", problem.GetProperty("detail").GetString());
        Assert.True(refused.Headers.RetryAfter is not null);
        // predictions count against their own limit, not this one
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels = Digit(22) }))).StatusCode);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesEveryCorrectionsEndpoint()
    {
        var document = await JsonAsync(_public, "/openapi/v1.json");
        var paths = document.GetProperty("paths");
        var contribute = paths.GetProperty("/api/corrections").GetProperty("post");
        Assert.True(contribute.GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(contribute.GetProperty("responses").TryGetProperty("201", out _));
        Assert.True(contribute.GetProperty("responses").TryGetProperty("422", out _));
        Assert.True(contribute.GetProperty("responses").TryGetProperty("507", out _));
        Assert.True(paths.GetProperty("/api/corrections/bulk").GetProperty("post").GetProperty("requestBody").GetProperty("content").TryGetProperty("application/json", out _));
        Assert.True(paths.GetProperty("/api/corrections").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/corrections/{id}").TryGetProperty("delete", out _));
        foreach (var action in new[] { "accept", "relabel", "reject" })
            Assert.True(paths.GetProperty($"/api/corrections/{{id}}/{action}").TryGetProperty("post", out _), action);
        Assert.True(paths.GetProperty("/api/corrections/export").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("application/zip", out _));
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
