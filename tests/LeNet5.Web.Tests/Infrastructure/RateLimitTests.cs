using System.Net;

namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>The per-client rate limit answers 429 with a problem and Retry-After; it spares /healthz.</summary>
public sealed class RateLimitTests : IDisposable
{
    private readonly LeNet5WebFactory _factory = LeNet5WebFactory.With(new Dictionary<string, string?>
    {
        ["RateLimit:PermitLimit"] = "3",
        ["RateLimit:WindowSeconds"] = "3600",
    });

    [Fact]
    public async Task TheRequestOverTheLimitIs429()
    {
        var client = _factory.CreateClient();
        for (int i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/models")).StatusCode);
        var response = await client.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels = Enumerable.Repeat(255, 784) }));
        var problem = await ApiAssert.Problem(response, HttpStatusCode.TooManyRequests);
        Assert.Contains("wait", problem.GetProperty("title").GetString());
        Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }

    public void Dispose() => _factory.Dispose();
}
