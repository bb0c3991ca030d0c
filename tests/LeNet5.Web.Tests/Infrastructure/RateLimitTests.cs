using System.Net;

namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>The per-client rate limits answer 429 with a problem and Retry-After; the admin API and unmatched API paths count too, /healthz and the pages do not.</summary>
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

    [Fact]
    public async Task TheAdminApiAndUnmatchedApiPathsAreRateLimitedButHealthAndPagesAreNot()
    {
        using var app = new AdminApp();
        using var factory = app.Factory(("RateLimit:PermitLimit", "2"), ("RateLimit:AdminPermitLimit", "2"), ("RateLimit:WindowSeconds", "3600"));
        var admin = AdminApp.Admin(factory);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/training")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/training")).StatusCode);
        var problem = await ApiAssert.Problem(await admin.GetAsync("/api/training"), HttpStatusCode.TooManyRequests);
        Assert.Contains("AdminPermitLimit", problem.GetProperty("detail").GetString());
        await ApiAssert.Problem(await admin.PostAsync("/api/models/lenet5/activate", null), HttpStatusCode.TooManyRequests);

        var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/models")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/api/no-such-endpoint")).StatusCode);
        await ApiAssert.Problem(await anonymous.GetAsync("/api/no-such-endpoint"), HttpStatusCode.TooManyRequests);
        await ApiAssert.Problem(await anonymous.GetAsync("/api/models"), HttpStatusCode.TooManyRequests);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/login")).StatusCode);
    }

    public void Dispose() => _factory.Dispose();
}
