using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Features.Admin;

/// <summary>The admin token cannot be guessed at speed (by bearer or sign-in form), is accepted only where it should be, a sign-in can end (and outlives a restart only with the same token), and its cookie can be made Secure.</summary>
public sealed partial class AdminSecurityTests : IDisposable
{
    private readonly AdminApp _app = new();

    public void Dispose() => _app.Dispose();

    private LeNet5WebFactory Factory(params (string Key, string Value)[] extra) => _app.Factory(extra);

    private static HttpRequestMessage WithBearer(string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>Signs in through the form and returns the client carrying the cookie, and the cookie itself.</summary>
    private static async Task<(HttpClient Browser, string Cookie)> SignInAsync(WebApplicationFactory<Program> factory)
    {
        var browser = factory.CreateClient(new() { AllowAutoRedirect = false });
        var antiforgery = AdminApp.AntiforgeryToken(await browser.GetStringAsync("/login"));
        var signedIn = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Token"] = AdminApp.Token, ["__RequestVerificationToken"] = antiforgery,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("lenet5.admin=", StringComparison.Ordinal)).Split(';')[0];
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/training")).StatusCode);
        return (browser, cookie);
    }

    private static async Task<HttpStatusCode> WithCookieAsync(WebApplicationFactory<Program> factory, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/training");
        request.Headers.Add("Cookie", cookie);
        return (await factory.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false }).SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task TheBearerIsAcceptedOnlyOnTheApi()
    {
        using var factory = Factory();
        var client = factory.CreateClient(new() { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(WithBearer("/api/training", AdminApp.Token))).StatusCode);
        var page = await client.SendAsync(WithBearer("/admin", AdminApp.Token));
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Contains("/login", page.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AfterTooManyWrongTokensEvenTheRightOneIsRefusedForAWhile()
    {
        using var factory = Factory(("RateLimit:LoginPermitLimit", "5"), ("RateLimit:LoginWindowSeconds", "3600"));
        var client = factory.CreateClient();
        for (int i = 0; i < 5; i++)
            await ApiAssert.Problem(await client.SendAsync(WithBearer("/api/training", $"wrong-{i}")), HttpStatusCode.Unauthorized);
        var refused = await client.SendAsync(WithBearer("/api/training", AdminApp.Token));
        await ApiAssert.Problem(refused, HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(50), "Retry-After should cover the rest of the window");
    }

    [Fact]
    public async Task SigningOutEndsTheSessionSoACopiedCookieNoLongerWorks()
    {
        using var factory = Factory();
        var (browser, cookie) = await SignInAsync(factory);
        var antiforgery = AdminApp.AntiforgeryToken(await browser.GetStringAsync("/admin"));
        var signedOut = await browser.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = antiforgery }));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(factory, cookie));
    }

    [Fact]
    public async Task ARestartWithAnotherTokenEndsEverySignIn()
    {
        string cookie;
        using (var first = Factory())
        {
            (_, cookie) = await SignInAsync(first);
            Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(first, cookie));
        }
        using var second = Factory(("Admin:Token", "another-admin-token-0123456789abcdefghij"));
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(second, cookie));
    }

    [Fact]
    public async Task ARestartWithTheSameTokenKeepsTheSignIn()
    {
        string cookie;
        using (var first = Factory())
            (_, cookie) = await SignInAsync(first);
        using var second = Factory();
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(second, cookie));
    }

    [Fact]
    public async Task ASignInLastsCookieHoursFromSigningInAndDoesNotSlide()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var configured = Factory(("Admin:CookieHours", "12"));
        using var factory = configured.WithWebHostBuilder(b => b.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        var (browser, _) = await SignInAsync(factory);
        clock.Now += TimeSpan.FromHours(11);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/training")).StatusCode); // a sliding cookie would be renewed here
        clock.Now += TimeSpan.FromHours(2);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/training")).StatusCode);
    }

    [Fact]
    public async Task AGeneratedTokenIsShownOnceOnTheConsoleAndNeverLogged()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        var web = Path.Combine(Path.GetDirectoryName(CliRunner.Path)!.Replace(Path.Combine("LeNet5.Cli", "bin"), Path.Combine("LeNet5.Web", "bin")), "LeNet5.Web.dll");
        start.WorkingDirectory = Path.GetDirectoryName(web)!;
        start.ArgumentList.Add(web);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Data__Directory"] = _app.DataDirectory;
        start.Environment["Admin__Token"] = "";
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        try
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && await process.StandardOutput.ReadLineAsync() is { } line)
            {
                lines.Add(line);
                if (line.Contains("Now listening on", StringComparison.Ordinal)) break;
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
        var shown = Assert.Single(lines, l => l.StartsWith("Admin token for this run: ", StringComparison.Ordinal));
        var token = shown["Admin token for this run: ".Length..].Split(' ')[0];
        Assert.True(token.Length >= 32, shown);
        Assert.Single(lines, l => l.Contains(token, StringComparison.Ordinal)); // not in any log line
    }

    [Fact]
    public async Task SignInAttemptsAreLimitedPerClient()
    {
        using var factory = Factory(("RateLimit:LoginPermitLimit", "3"), ("RateLimit:LoginWindowSeconds", "3600"));
        var browser = factory.CreateClient(new() { AllowAutoRedirect = false });
        var antiforgery = AdminApp.AntiforgeryToken(await browser.GetStringAsync("/login"));
        HttpContent Attempt(string token) => new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Token"] = token, ["__RequestVerificationToken"] = antiforgery,
        });
        for (int i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsync("/login", Attempt("guess-" + i))).StatusCode);
        var refused = await browser.PostAsync("/login", Attempt(AdminApp.Token));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        // the page itself still loads
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/login")).StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AdminRequireHttpsCookieMakesTheSignInCookieSecure(bool require)
    {
        using var factory = Factory(("Admin:RequireHttpsCookie", require ? "true" : "false"));
        var browser = factory.CreateClient(new() { AllowAutoRedirect = false });
        var antiforgery = AdminApp.AntiforgeryToken(await browser.GetStringAsync("/login"));
        var signedIn = await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Token"] = AdminApp.Token, ["__RequestVerificationToken"] = antiforgery,
        }));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var cookie = signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("lenet5.admin=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.Equal(require, cookie.Contains("; secure", StringComparison.Ordinal));
    }

    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

}
