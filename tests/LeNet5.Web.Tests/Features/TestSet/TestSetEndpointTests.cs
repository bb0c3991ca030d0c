using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LeNet5.Core.Data;

namespace LeNet5.Web.Tests.Features.TestSet;

/// <summary><c>GET /api/mnist/test/{index}</c>: the digit as the MNIST file holds it, and 404 for any other index.</summary>
public sealed class TestSetEndpointTests(LeNet5WebFactory factory) : IClassFixture<LeNet5WebFactory>
{
    private readonly HttpClient _client = factory.CreateClient();

    [Theory]
    [InlineData(0)]
    [InlineData(1234)]
    [InlineData(9999)]
    public async Task ADigitIsTheTestFilesPixelsAndLabel(int index)
    {
        // read from the IDX files themselves, not through the dataset class the app uses
        var images = IdxReader.ReadImages(File.ReadAllBytes(Path.Combine(TestMnist.Directory, MnistFile.TestImages.Name)), MnistFile.TestImages.Name);
        var labels = IdxReader.ReadLabels(File.ReadAllBytes(Path.Combine(TestMnist.Directory, MnistFile.TestLabels.Name)), MnistFile.TestLabels.Name);

        var response = await _client.GetAsync($"/api/mnist/test/{index}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var digit = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(index, digit.GetProperty("index").GetInt32());
        Assert.Equal(labels[index], digit.GetProperty("label").GetInt32());
        var pixels = digit.GetProperty("pixels").EnumerateArray().Select(p => p.GetInt32()).ToArray();
        Assert.Equal(images.Pixels.AsSpan(index * 784, 784).ToArray().Select(b => (int)b), pixels);
        Assert.Contains(pixels, p => p > 200); // a digit, not a blank
    }

    [Fact]
    public async Task TheAnswerIsCacheableAndRevalidatesWith304()
    {
        var first = await _client.GetAsync("/api/mnist/test/7");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.True(first.Headers.CacheControl?.Public);
        Assert.NotNull(first.Headers.ETag);
        using var again = new HttpRequestMessage(HttpMethod.Get, "/api/mnist/test/7");
        again.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await _client.SendAsync(again)).StatusCode);
        // another digit has another tag
        using var other = new HttpRequestMessage(HttpMethod.Get, "/api/mnist/test/8");
        other.Headers.IfNoneMatch.Add(first.Headers.ETag!);
        Assert.Equal(HttpStatusCode.OK, (await _client.SendAsync(other)).StatusCode);
    }

    [Theory]
    [InlineData("10000")]
    [InlineData("-1")]
    [InlineData("abc")]
    [InlineData("1e3")]
    [InlineData("99999999999999999999")]
    public async Task AnyOtherIndexIsA404Problem(string index)
    {
        var problem = await ApiAssert.Problem(await _client.GetAsync($"/api/mnist/test/{index}"), HttpStatusCode.NotFound);
        Assert.Contains("0 to 9999", problem.GetProperty("title").GetString());
    }
}
