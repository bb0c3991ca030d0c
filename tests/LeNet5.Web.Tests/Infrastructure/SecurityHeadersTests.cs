using System.Net;

namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>Pages carry a strict Content-Security-Policy; every answer forbids sniffing; a foreign Host header is refused, not reflected.</summary>
public sealed class SecurityHeadersTests(LeNet5WebFactory factory) : IClassFixture<LeNet5WebFactory>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/login")]
    public async Task PagesAllowOnlyTheSitesOwnScriptsAndCannotBeFramed(string path)
    {
        var response = await factory.CreateClient().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var policy = string.Join(' ', response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.True(response.Headers.Contains("Referrer-Policy"));
    }

    [Fact]
    public async Task TheApiForbidsSniffingToo()
    {
        var response = await factory.CreateClient().GetAsync("/api/models");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task AHostOutsideAllowedHostsIsRefused()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/admin");
        request.Headers.Host = "evil.example";
        var response = await factory.CreateClient(new() { AllowAutoRedirect = false }).SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Location?.OriginalString.Contains("evil.example", StringComparison.Ordinal) ?? false);
    }

    [Fact]
    public async Task TheSignInRedirectIsRelative()
    {
        var response = await factory.CreateClient(new() { AllowAutoRedirect = false }).GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/login?ReturnUrl=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }
}
