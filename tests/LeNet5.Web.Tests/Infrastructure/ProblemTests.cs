using System.Net;
using System.Net.Http.Headers;

namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>
/// Every error is a problem+json with the right status whatever the client's Accept says: a client
/// that asked for HTML or an event stream still gets 401, 404 or 429, never a 500.
/// </summary>
public sealed class ProblemTests : IDisposable
{
    private readonly AdminApp _app = new();

    public void Dispose() => _app.Dispose();

    private static HttpRequestMessage Get(string path, string accept, string? bearer = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(accept);
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }

    [Theory]
    [InlineData("/api/training/1/events", "text/event-stream", null)]
    [InlineData("/api/training", "text/html", null)]
    [InlineData("/api/training", "text/html", "not-the-token")]
    public async Task WithoutValidCredentialsTheAnswerIs401WhateverTheAccept(string path, string accept, string? bearer)
    {
        using var factory = _app.Factory();
        var response = await factory.CreateClient(new() { AllowAutoRedirect = false }).SendAsync(Get(path, accept, bearer));
        await ApiAssert.Problem(response, HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task TheAdminPageWithAWrongBearerRedirectsToSignIn()
    {
        using var factory = _app.Factory();
        var response = await factory.CreateClient(new() { AllowAutoRedirect = false }).SendAsync(Get("/admin", "text/html", "not-the-token"));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Contains("/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownPageIsAPlain404()
    {
        using var factory = _app.Factory();
        var response = await factory.CreateClient().SendAsync(Get("/no-such-page", "text/html"));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("404 Not Found", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AnUnknownApiPathIs404ForAnHtmlClientToo()
    {
        using var factory = _app.Factory();
        await ApiAssert.Problem(await factory.CreateClient().SendAsync(Get("/api/nothing-here", "text/html")), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task TheRateLimitIs429ForAnHtmlClientToo()
    {
        var settings = _app.Settings;
        settings["RateLimit:PermitLimit"] = "1";
        settings["RateLimit:WindowSeconds"] = "3600";
        using var factory = LeNet5WebFactory.With(settings);
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Get("/api/models", "text/html"))).StatusCode);
        await ApiAssert.Problem(await client.SendAsync(Get("/api/models", "text/html")), HttpStatusCode.TooManyRequests);
    }
}
