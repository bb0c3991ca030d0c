using System.Net;
using System.Net.Http.Headers;
using LeNet5.Web.Infrastructure.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Features.Admin;

/// <summary>
/// Two replicas over one database, as behind a load balancer: one browser (one cookie jar) signs in on
/// one and is signed in on the other, signs out on either and is signed out on both; wrong tokens tried on
/// either count against one limit; and both protect their cookies with the one key in the database.
/// </summary>
public sealed class AdminClusterTests : IDisposable
{
    private readonly AdminApp _app = new();

    public void Dispose() => _app.Dispose();

    /// <summary>A browser's client of one replica, keeping its cookies in the jar it shares with its clients of the others; redirects are not followed.</summary>
    private static HttpClient Browser(LeNet5WebFactory replica, CookieContainer jar) => replica.CreateDefaultClient(new CookieContainerHandler(jar));

    private static async Task<HttpResponseMessage> PostSignInAsync(HttpClient browser, string token)
    {
        var antiforgery = AdminApp.AntiforgeryToken(await browser.GetStringAsync("/login"));
        return await browser.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["Token"] = token, ["__RequestVerificationToken"] = antiforgery,
        }));
    }

    /// <summary>Signs in through the form and returns the sign-in cookie (also kept in the browser's jar).</summary>
    private static async Task<string> SignInAsync(HttpClient browser)
    {
        var signedIn = await PostSignInAsync(browser, AdminApp.Token);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return signedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("lenet5.admin=", StringComparison.Ordinal)).Split(';')[0];
    }

    private static async Task<HttpStatusCode> WithCookieAsync(LeNet5WebFactory replica, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/training");
        request.Headers.Add("Cookie", cookie);
        return (await replica.CreateClient(new() { AllowAutoRedirect = false, HandleCookies = false }).SendAsync(request)).StatusCode;
    }

    private static HttpRequestMessage WithBearer(string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/training");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static long KeyCount(LeNet5WebFactory replica) =>
        Convert.ToInt64(replica.Services.GetRequiredService<Database>().Scalar("SELECT COUNT(*) FROM data_protection_keys;"));

    [Fact]
    public async Task ASignInOnOneReplicaIsAcceptedByTheOther()
    {
        using var a = _app.Factory();
        using var b = _app.Factory();
        var jar = new CookieContainer();
        await SignInAsync(Browser(a, jar));
        var onB = Browser(b, jar);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/admin")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/training")).StatusCode);
    }

    [Fact]
    public async Task SigningOutOnOneReplicaEndsTheSessionOnTheOther()
    {
        using var a = _app.Factory();
        using var b = _app.Factory();
        var jar = new CookieContainer();
        var cookie = await SignInAsync(Browser(a, jar));
        Assert.Equal(HttpStatusCode.OK, await WithCookieAsync(a, cookie));
        var onB = Browser(b, jar);
        var antiforgery = AdminApp.AntiforgeryToken(await onB.GetStringAsync("/admin"));
        var signedOut = await onB.PostAsync("/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = antiforgery }));
        Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(a, cookie));
        Assert.Equal(HttpStatusCode.Unauthorized, await WithCookieAsync(b, cookie));
    }

    [Fact]
    public async Task WrongTokensTriedOnEitherReplicaCountAgainstOneLimit()
    {
        (string, string)[] limit = [("RateLimit:LoginPermitLimit", "4"), ("RateLimit:LoginWindowSeconds", "3600")];
        using var a = _app.Factory(limit);
        using var b = _app.Factory(limit);
        var apiOnA = a.CreateClient();
        var browserOnB = Browser(b, new CookieContainer());
        for (int i = 0; i < 2; i++)
        {
            await ApiAssert.Problem(await apiOnA.SendAsync(WithBearer($"wrong-on-a-{i}")), HttpStatusCode.Unauthorized);
            Assert.Equal(HttpStatusCode.Unauthorized, (await PostSignInAsync(browserOnB, $"wrong-on-b-{i}")).StatusCode);
        }
        // each replica has seen only half the limit; together they have seen all of it
        var refusedOnA = await apiOnA.SendAsync(WithBearer(AdminApp.Token));
        await ApiAssert.Problem(refusedOnA, HttpStatusCode.TooManyRequests);
        Assert.True(refusedOnA.Headers.RetryAfter?.Delta > TimeSpan.FromMinutes(50), "Retry-After should cover the rest of the window");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await PostSignInAsync(browserOnB, AdminApp.Token)).StatusCode);
    }

    [Fact]
    public async Task ReplicasStartingAtOnceShareOneDataProtectionKeyInTheDatabase()
    {
        // a database that exists but holds no key yet, as when replicas first start on a migrated one
        using (var first = _app.Factory())
            first.Services.GetRequiredService<Database>().Execute("DELETE FROM data_protection_keys;");
        using var a = _app.Factory();
        using var b = _app.Factory();
        await Task.WhenAll(Task.Run(() => a.Server), Task.Run(() => b.Server));
        Assert.Equal(1, KeyCount(a));
        var protectedByA = a.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("cluster test").Protect("a secret");
        Assert.Equal("a secret", b.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("cluster test").Unprotect(protectedByA));
        Assert.Equal(1, KeyCount(b));
    }
}
