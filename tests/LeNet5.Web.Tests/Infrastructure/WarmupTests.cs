using System.Net;
using LeNet5.Web.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>
/// Before it reports healthy, the app sends its hot paths a few requests of its own over loopback;
/// they are marked with a per-process secret, so they cost no client any of its rate limit, and a
/// client that copies the header without the secret is limited as before.
/// </summary>
public sealed class WarmupTests
{
    [Fact]
    public async Task TheWarmupRunsBeforeHealthyAndCostsNoClientItsRateLimit()
    {
        using var factory = LeNet5WebFactory.With(new Dictionary<string, string?> { ["RateLimit:PermitLimit"] = "2", ["RateLimit:WindowSeconds"] = "3600" });
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var state = factory.Services.GetRequiredService<WarmupState>();
        using var client = new HttpClient { BaseAddress = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()) };

        HttpResponseMessage health;
        for (int i = 0; ; i++)
        {
            health = await client.GetAsync("/healthz");
            if (health.StatusCode == HttpStatusCode.OK || i == 600) break;
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            await Task.Delay(50);
        }
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.True(state.Done);

        // the warm-up sent nine API requests from this same loopback address; the limit of 2 is still whole
        var forged = new HttpRequestMessage(HttpMethod.Get, "/api/models");
        forged.Headers.Add(WarmupState.Header, new string('0', 32));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(forged)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/models")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/api/models")).StatusCode);
    }

    [Fact]
    public async Task UnderTheInMemoryServerTheAppIsHealthyAtOnce()
    {
        using var factory = new LeNet5WebFactory();
        var client = factory.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }
}
