using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LeNet5.Web.Features.Models;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Features.Models;

/// <summary>
/// Dreams, parameters and ONNX files are computed once per model and kept, answered with an ETag
/// that If-None-Match turns into 304; one parameters answer holds at most Models:MaxParameterValues values.
/// </summary>
public sealed class ModelAnswerTests(ModelAnswerTests.Factory factory) : IClassFixture<ModelAnswerTests.Factory>
{
    /// <summary>The app with a parameters cap below LeNet-5's 60,000, so that its large layers are left out.</summary>
    public sealed class Factory() : LeNet5WebFactory(new Dictionary<string, string?> { ["Models:MaxParameterValues"] = "10000" });

    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData("/api/models/lenet5/dreams")]
    [InlineData("/api/models/lenet5/parameters")]
    [InlineData("/api/models/lenet5/parameters?layers=c3,c1")]
    [InlineData("/api/models/lenet5/file?format=onnx")]
    public async Task TheAnswerHasAnETagThatIfNoneMatchAnswers304(string path)
    {
        var first = await _client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var tag = first.Headers.ETag;
        Assert.NotNull(tag);
        Assert.False(tag.IsWeak);
        var again = await _client.GetAsync(path);
        Assert.Equal(tag, again.Headers.ETag);
        Assert.Equal(await first.Content.ReadAsByteArrayAsync(), await again.Content.ReadAsByteArrayAsync());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, path);
        conditional.Headers.IfNoneMatch.Add(tag);
        var notModified = await _client.SendAsync(conditional);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());

        using var stale = new HttpRequestMessage(HttpMethod.Get, path);
        stale.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"another\""));
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(stale)).StatusCode);
    }

    [Fact]
    public async Task TheOnnxFileIsWrittenOnceAndTheSameBytesServedAgain()
    {
        var served = await _client.GetByteArrayAsync("/api/models/lenet5-softmax/file?format=onnx");
        var entry = factory.Services.GetRequiredService<ModelRegistry>().Get("lenet5-softmax")!;
        var answers = factory.Services.GetRequiredService<ModelAnswers>();
        // kept: asked again, it is not written again
        var kept = await answers.GetAsync(entry, ModelEndpoints.Onnx, () => throw new InvalidOperationException("written twice"), CancellationToken.None);
        Assert.Equal(served, kept.Bytes);
        Assert.Equal(served, await _client.GetByteArrayAsync("/api/models/lenet5-softmax/file?format=onnx"));
        Assert.Same(kept, await answers.GetAsync(entry, ModelEndpoints.Onnx, () => throw new InvalidOperationException("written twice"), CancellationToken.None));
    }

    [Fact]
    public async Task RequestsThatAskWhileAnAnswerIsComputedShareTheOneComputation()
    {
        var entry = factory.Services.GetRequiredService<ModelRegistry>().Get("lenet5")!;
        var answers = factory.Services.GetRequiredService<ModelAnswers>();
        var release = new TaskCompletionSource();
        int computed = 0;
        byte[] Compute()
        {
            Interlocked.Increment(ref computed);
            release.Task.Wait();
            return [1, 2, 3];
        }
        var first = Task.Run(() => answers.GetAsync(entry, "shared", Compute, CancellationToken.None));
        while (Volatile.Read(ref computed) == 0) await Task.Delay(10);
        var second = answers.GetAsync(entry, "shared", Compute, CancellationToken.None);
        release.SetResult();
        Assert.Same(await first, await second);
        Assert.Equal(1, computed);
    }

    [Fact]
    public async Task AParametersAnswerLeavesOutTheLayersBeyondItsCap()
    {
        var all = JsonDocument.Parse(await _client.GetStringAsync("/api/models/lenet5/parameters")).RootElement;
        var omitted = all.GetProperty("omitted").EnumerateArray().Select(e => e.GetString()).ToArray();
        Assert.Contains("c5", omitted); // 48,120 values
        Assert.DoesNotContain("c1", omitted);
        long values = 0;
        foreach (var layer in all.GetProperty("layers").EnumerateArray())
        {
            bool left = omitted.Contains(layer.GetProperty("name").GetString());
            foreach (var tensor in layer.GetProperty("tensors").EnumerateArray())
            {
                var v = tensor.GetProperty("values");
                Assert.Equal(left, v.ValueKind == JsonValueKind.Null);
                if (!left) values += v.GetArrayLength();
            }
        }
        Assert.InRange(values, 1, 10_000);
        Assert.Equal(6 * 25, all.GetProperty("layers")[0].GetProperty("tensors")[0].GetProperty("values").GetArrayLength());

        var alone = JsonDocument.Parse(await _client.GetStringAsync("/api/models/lenet5/parameters?layers=c5")).RootElement;
        Assert.Equal(["c5"], alone.GetProperty("omitted").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(48_000, alone.GetProperty("layers")[0].GetProperty("tensors")[0].GetProperty("shape").EnumerateArray().Aggregate(1, (n, d) => n * d.GetInt32()));
    }
}
