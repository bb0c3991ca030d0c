namespace LeNet5.Web.Tests.Features.Predict;

/// <summary>
/// Mutated images of every accepted format, posted as a client would: each is answered, a prediction or a
/// 4xx problem, and never a 5xx; the server answers a plain prediction afterwards.
/// </summary>
public sealed class DecodingFuzzOverHttpTests
{
    [Fact]
    public async Task ThreeThousandMutatedImagesGetAnAnswerOrA4xxProblemNeverA5xx()
    {
        using var factory = new LeNet5WebFactory();
        var client = factory.CreateClient();
        var mutations = new ImageMutations(seed: 31_337);
        var statuses = new Dictionary<int, int>();
        for (int i = 0; i < 3000; i++)
        {
            var (what, bytes) = mutations.Next();
            string mediaType = "image/" + what.Split(' ', ',')[0];
            using var response = await client.PostAsync("/api/predict", Bodies.Raw(bytes, mediaType));
            int status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (status >= 500) Assert.Fail($"case {i} ({what}): {status} {await response.Content.ReadAsStringAsync()}");
            if (status >= 400) Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        Assert.True(statuses.GetValueOrDefault(200) > 100 && statuses.GetValueOrDefault(400) > 1000, string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));
        var png = TestImages.CanvasDrawing(280, 20, [(0.3f, 0.2f), (0.7f, 0.2f), (0.45f, 0.85f)]);
        await ApiAssert.Prediction(await client.PostAsync("/api/predict", Bodies.Raw(png, "image/png")));
    }
}
