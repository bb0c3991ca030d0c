using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LeNet5.Core.Models;
using LeNet5.Core.Training;
using LeNet5.Web.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Features.Atlas;

/// <summary>
/// <c>GET /api/models/{id}/atlas</c> and the <c>atlas</c> of a details answer: every test digit with
/// its label and the model's answer, neighbours that share labels, compression, revalidation and the stored fit.
/// </summary>
public sealed class AtlasEndpointTests(LeNet5WebFactory factory) : IClassFixture<LeNet5WebFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    private sealed record Point(int Index, int Label, int Predicted, float X, float Y);

    private async Task<Point[]> Points(HttpClient client, string model = "lenet5")
    {
        var response = await client.GetAsync($"/api/models/{model}/atlas");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var atlas = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(model, atlas.GetProperty("model").GetString());
        return atlas.GetProperty("points").Deserialize<Point[]>(ApiAssert.Json)!;
    }

    [Fact]
    public async Task EveryTestDigitIsOnTheMapWithItsLabelAndTheModelsOwnAnswer()
    {
        var points = await Points(_client);
        var model = ModelFile.Load(RepoPaths.ShippedModel);
        var evaluation = Evaluator.Evaluate(model.Network, model.Parameters, TestMnist.Test, threads: 2);

        Assert.Equal(Enumerable.Range(0, 10_000), points.Select(p => p.Index));
        Assert.Equal(TestMnist.Test.Labels.Select(l => (int)l), points.Select(p => p.Label));
        Assert.Equal(evaluation.Predictions, points.Select(p => p.Predicted));
        Assert.All(points, p => Assert.True(float.IsFinite(p.X) && float.IsFinite(p.Y)));
        // a map, not a line or a dot: both axes spread
        Assert.True(points.Max(p => p.X) - points.Min(p => p.X) > 5 && points.Max(p => p.Y) - points.Min(p => p.Y) > 5);
    }

    [Fact]
    public async Task ADrawingsPlaceLiesAmongTestDigitsOfItsOwnLabel()
    {
        var points = await Points(_client);
        // training digits are not on the map: each goes in as a drawing would, as pixels
        var train = TestMnist.Load().Train;
        int agree = 0, asked = 40;
        for (int i = 0; i < asked; i++)
        {
            var pixels = train.Image(i).ToArray().Select(b => (float)b).ToArray();
            var response = await _client.PostAsync("/api/predict?details=true", ApiAssert.JsonBody(new { pixels }));
            var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            var place = answer.GetProperty("atlas");
            float x = place.GetProperty("x").GetSingle(), y = place.GetProperty("y").GetSingle();
            var nearest = points.OrderBy(p => (p.X - x) * (p.X - x) + (p.Y - y) * (p.Y - y)).Take(5);
            if (nearest.Count(p => p.Label == train.Labels[i]) >= 3) agree++;
        }
        Assert.True(agree >= 0.9 * asked, $"the five nearest test digits share the label of {agree} of {asked} drawings");
    }

    [Fact]
    public async Task ItIsSentCompressedWhenTheClientTakesItAndRevalidatesWith304()
    {
        var plain = await _client.GetAsync("/api/models/lenet5/atlas");
        var json = await plain.Content.ReadAsByteArrayAsync();
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Contains("Accept-Encoding", plain.Headers.Vary);
        Assert.True(plain.Headers.CacheControl?.Public);

        foreach (var (coding, decompress) in new (string, Func<Stream, Stream>)[]
                 {
                     ("br", s => new BrotliStream(s, CompressionMode.Decompress)),
                     ("gzip", s => new GZipStream(s, CompressionMode.Decompress)),
                 })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/models/lenet5/atlas");
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue(coding));
            var response = await _client.SendAsync(request);
            Assert.Equal(coding, Assert.Single(response.Content.Headers.ContentEncoding));
            var body = await response.Content.ReadAsByteArrayAsync();
            Assert.True(body.Length <= 300 * 1024, $"{coding}: {body.Length} bytes");
            using var output = new MemoryStream();
            using (var stream = decompress(new MemoryStream(body))) stream.CopyTo(output);
            Assert.Equal(json, output.ToArray());
        }

        using var refused = new HttpRequestMessage(HttpMethod.Get, "/api/models/lenet5/atlas");
        refused.Headers.TryAddWithoutValidation("Accept-Encoding", "br;q=0, gzip");
        Assert.Equal("gzip", Assert.Single((await _client.SendAsync(refused)).Content.Headers.ContentEncoding));

        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/models/lenet5/atlas");
        again.Headers.IfNoneMatch.Add(plain.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task AnUnknownModelIsA404Problem()
    {
        var problem = await ApiAssert.Problem(await _client.GetAsync("/api/models/no-such-model/atlas"), HttpStatusCode.NotFound);
        Assert.Contains("no-such-model", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task AFittedMapIsStoredAndServedByTheNextAppOnTheSameStore()
    {
        var directory = Directory.CreateTempSubdirectory("lenet5web-atlas-").FullName;
        var settings = new Dictionary<string, string?> { ["Data:Directory"] = directory };
        Point[] fitted;
        using (var first = LeNet5WebFactory.With(settings))
        {
            fitted = await Points(first.CreateClient(), "lenet5-softmax");
            // mirror the stored map: a next app that read it serves the mirror, one that fitted again would not
            var database = first.Services.GetRequiredService<Database>();
            var stored = (byte[])database.Scalar("SELECT embedding FROM atlases WHERE model_id = 'lenet5-softmax';")!;
            var xy = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(stored).ToArray();
            for (int i = 0; i < xy.Length; i += 2) xy[i] = -xy[i];
            database.Execute("UPDATE atlases SET embedding = @e WHERE model_id = 'lenet5-softmax';",
                ("@e", System.Runtime.InteropServices.MemoryMarshal.AsBytes(xy.AsSpan()).ToArray()));
        }
        using var next = LeNet5WebFactory.With(settings);
        var served = await Points(next.CreateClient(), "lenet5-softmax");
        Assert.Equal(fitted.Select(p => -p.X), served.Select(p => p.X));
        Assert.Equal(fitted.Select(p => p.Y), served.Select(p => p.Y));
    }
}
