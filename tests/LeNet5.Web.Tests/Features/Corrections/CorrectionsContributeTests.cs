using System.Net;
using System.Text;
using System.Text.Json;

namespace LeNet5.Web.Tests.Features.Corrections;

/// <summary><c>POST /api/corrections</c>: what is kept, duplicates, every bad input (a problem, nothing stored), the switch, the per-client limit and the OpenAPI document.</summary>
public sealed class CorrectionsContributeTests : CorrectionsApiSession
{
    private static readonly object[] TwoStrokes =
    [
        new { pointerType = "mouse", width = 0.07, points = new[] { new[] { 0.5, 0.1, 0.0 }, new[] { 0.5, 0.9, 120.5 } } },
        new { pointerType = "touch", width = 0.1, points = new[] { new[] { 0.3, 0.5, 400.0 } } },
    ];

    [Fact]
    public async Task ADrawingIsKeptWithTheModelsOwnAnswerItsStrokesAndNothingAboutWhoSentIt()
    {
        var pixels = Digit(0);
        var predicted = await ApiAssert.Prediction(await Public.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels })));
        int wrongLabel = (predicted.Digit + 3) % 10;
        long id = await ContributeAsync(new { label = wrongLabel, pixels, strokes = TwoStrokes, predicted = predicted.Digit, model = "lenet5" });

        var kept = await JsonAsync(Admin, $"/api/corrections/{id}");
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
        var details = await ApiAssert.Prediction(await Public.PostAsync("/api/predict?details=true", ApiAssert.JsonBody(new { image = dataUrl })));
        long id = await ContributeAsync(new { label = LabelOf(7), image = dataUrl });
        var kept = await JsonAsync(Admin, $"/api/corrections/{id}");
        Assert.Equal(details.Input!.Select(v => (int)Math.Round(v)), kept.GetProperty("pixels").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(details.Digit, kept.GetProperty("predicted").GetInt32());
        Assert.Equal(0, kept.GetProperty("strokes").GetInt32());
    }

    [Fact]
    public async Task TheSameDrawingIsStoredOnce()
    {
        long first = await ContributeAsync(new { label = 3, pixels = Digit(1) });
        var again = await Public.PostAsync("/api/corrections", ApiAssert.JsonBody(new { label = 5, pixels = Digit(1) }));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var body = JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(first, body.GetProperty("id").GetInt64());
        Assert.True(body.GetProperty("duplicate").GetBoolean());
        Assert.Equal(1, await TotalAsync());
        Assert.Equal(3, (await JsonAsync(Admin, $"/api/corrections/{first}")).GetProperty("label").GetInt32()); // the first label stands
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
        var problem = await ApiAssert.Problem(await Public.SendAsync(request), (HttpStatusCode)status);
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()), what);
        Assert.Equal(0, await TotalAsync());
    }

    [Fact]
    public async Task AnotherContentTypeOrAnOversizedBodyIsRefused()
    {
        await ApiAssert.Problem(await Public.PostAsync("/api/corrections", Bodies.Raw(TestImages.MnistPng(TestMnist.Load().Test.Image(0)), "image/png")),
            HttpStatusCode.UnsupportedMediaType);
        using var small = App.Factory(("Corrections:MaxBodyBytes", "2048"));
        var big = new { label = 1, pixels = Digit(3), strokes = TwoStrokes };
        await ApiAssert.Problem(await small.CreateClient().PostAsync("/api/corrections", ApiAssert.JsonBody(big)), HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(0, await TotalAsync());
    }

    [Fact]
    public async Task TurnedOffTheEndpointAnswersAProblemAndTheDrawingPageOffersNothing()
    {
        using var off = App.Factory(("Corrections:Enabled", "false"));
        var client = off.CreateClient();
        await ApiAssert.Problem(await client.PostAsync("/api/corrections", ApiAssert.JsonBody(new { label = 1, pixels = Digit(0) })), HttpStatusCode.NotFound);
        Assert.DoesNotContain("id=\"correct\"", await client.GetStringAsync("/"));
        Assert.Contains("id=\"correct\"", await Public.GetStringAsync("/"));
    }

    [Fact]
    public async Task EachClientMayContributeOnlySoManyDrawingsAWindow()
    {
        using var limited = App.Factory(("RateLimit:CorrectionsPermitLimit", "2"));
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
        var document = await JsonAsync(Public, "/openapi/v1.json");
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
