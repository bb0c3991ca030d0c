using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>
/// Behind a configured proxy the rate limits count the client it forwards, not the proxy; IPv6
/// clients count per /64; and a forwarded address from anyone else is ignored.
/// </summary>
public sealed class ProxyTests
{
    private static (LeNet5WebFactory Factory, HttpClient Client) Start(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?> { ["RateLimit:PermitLimit"] = "1", ["RateLimit:WindowSeconds"] = "3600" };
        foreach (var (key, value) in extra) settings[key] = value;
        var factory = LeNet5WebFactory.With(settings);
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (factory, new HttpClient { BaseAddress = new Uri(address) });
    }

    private static async Task<HttpStatusCode> AsAsync(HttpClient client, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/models");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await client.SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task BehindAKnownProxyEachForwardedClientHasItsOwnLimit()
    {
        var (factory, client) = Start(("Proxy:KnownProxies:0", "127.0.0.1"));
        using var _ = factory;
        Assert.Equal(HttpStatusCode.OK, await AsAsync(client, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await AsAsync(client, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.OK, await AsAsync(client, "203.0.113.8"));
    }

    [Fact]
    public async Task IPv6ClientsCountPerSlash64()
    {
        var (factory, client) = Start(("Proxy:KnownNetworks:0", "127.0.0.0/8"));
        using var _ = factory;
        Assert.Equal(HttpStatusCode.OK, await AsAsync(client, "2001:db8:1:2::1"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await AsAsync(client, "2001:db8:1:2:ffff:ffff:ffff:ffff"));
        Assert.Equal(HttpStatusCode.OK, await AsAsync(client, "2001:db8:1:3::1"));
    }

    [Fact]
    public async Task WithoutAConfiguredProxyAForwardedAddressIsIgnored()
    {
        var (factory, client) = Start();
        using var _ = factory;
        Assert.Equal(HttpStatusCode.OK, await AsAsync(client, "203.0.113.7"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await AsAsync(client, "203.0.113.8")); // both are the one loopback client
    }
}
