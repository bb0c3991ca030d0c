using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using LeNet5.Web.Features.Predict;
using Microsoft.Extensions.DependencyInjection;

namespace LeNet5.Web.Tests.Features.Predict;

/// <summary>
/// Slow uploads cannot pile up bodies in memory: sockets that declare 5 MB and send 4 bytes hold at
/// most Limits:MaxConcurrentBodies slots, and the next request is 503 with Retry-After, at once; the
/// server keeps answering once they are gone.
/// </summary>
public sealed class SlowUploadTests
{
    [Fact]
    public async Task BodiesBeyondTheLimitAreRefusedAt503AndTheServerKeepsServing()
    {
        // Kestrel's minimum upload rate would cut the stalled sockets off after 5 s; here they must stay for as long as the test needs
        using var factory = LeNet5WebFactory.With(new Dictionary<string, string?> { ["Limits:MaxConcurrentBodies"] = "2", ["Limits:MinBodyBytesPerSecond"] = "0" });
        var (address, client) = await StartAsync(factory);
        using var _ = client;
        var stalled = new List<TcpClient>();
        for (int i = 0; i < 2; i++) stalled.Add(await StallAsync(address, 0));

        // on a loaded machine the server may reach the stalled requests late: wait until both hold their slot
        var slots = factory.Services.GetRequiredService<BodySlots>();
        for (int i = 0; i < 1200 && slots.InUse < 2; i++) await Task.Delay(50);
        Assert.True(slots.InUse == 2, $"the stalled uploads hold {slots.InUse} slots after 60 s, not 2; they received: {string.Join(" | ", stalled.Select(Received))}");

        var pixels = ApiAssert.JsonBody(new { pixels = TestMnist.Test.Image(0).ToArray().Select(b => (int)b) });
        var refused = await client.PostAsync("/api/predict", pixels);
        await ApiAssert.Problem(refused, HttpStatusCode.ServiceUnavailable);
        Assert.True(refused!.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");

        foreach (var socket in stalled) socket.Dispose();
        HttpResponseMessage answer = refused;
        for (int i = 0; i < 100 && answer.StatusCode != HttpStatusCode.OK; i++)
        {
            await Task.Delay(50);
            answer = await client.PostAsync("/api/predict", pixels);
        }
        await ApiAssert.Prediction(answer);
    }

    [Fact]
    public async Task TricklingUploadsHoldSlotsButNotTheBudgetSoImagesStillGetThrough()
    {
        // default slots; a 1 MB budget: 40 stalled sockets that sent 4 bytes each hold 40 slots and 160 bytes
        using var factory = LeNet5WebFactory.With(new Dictionary<string, string?> { ["Limits:BodyBudgetMegabytes"] = "1", ["Limits:MinBodyBytesPerSecond"] = "0" });
        var (address, client) = await StartAsync(factory);
        using var _ = client;
        var slots = factory.Services.GetRequiredService<BodySlots>();
        var stalled = new List<TcpClient>();
        for (int i = 0; i < 40; i++) stalled.Add(await StallAsync(address, 0));
        for (int i = 0; i < 1200 && slots.InUse < 40; i++) await Task.Delay(50);
        Assert.Equal(40, slots.InUse);
        await ApiAssert.Prediction(await client.PostAsync("/api/predict", Bodies.Raw(TestImages.MnistPng(TestMnist.Test.Image(0)), "image/png")));

        // one upload that has sent 700 KB holds 700 KB of the budget: the next 400 KB image is refused, a small one is not
        stalled.Add(await StallAsync(address, 700 * 1024));
        for (int i = 0; i < 1200 && slots.BytesHeld < 700 * 1024; i++) await Task.Delay(50);
        Assert.True(slots.BytesHeld >= 700 * 1024, $"the 700 KB upload holds {slots.BytesHeld} bytes");
        var large = new byte[400 * 1024];
        TestImages.MnistPng(TestMnist.Test.Image(0)).CopyTo(large, 0); // a PNG decoder stops at IEND: the rest is never read
        var refused = await client.PostAsync("/api/predict", Bodies.Raw(large, "image/png"));
        await ApiAssert.Problem(refused, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("Limits:BodyBudgetMegabytes", await refused.Content.ReadAsStringAsync());
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        await ApiAssert.Prediction(await client.PostAsync("/api/predict", ApiAssert.JsonBody(new { pixels = TestMnist.Test.Image(0).ToArray().Select(b => (int)b) })));

        // once they are gone the budget is whole again
        foreach (var socket in stalled) socket.Dispose();
        for (int i = 0; i < 200 && slots.BytesHeld > 0; i++) await Task.Delay(50);
        Assert.Equal(0, slots.BytesHeld);
    }

    /// <summary>The app on a real loopback port and a client of it, once it reports healthy: the start-up warm-up's own requests take slots too.</summary>
    private static async Task<(Uri Address, HttpClient Client)> StartAsync(LeNet5WebFactory factory)
    {
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        var client = new HttpClient { BaseAddress = address };
        for (int i = 0; i < 600 && (await client.GetAsync("/healthz")).StatusCode != HttpStatusCode.OK; i++) await Task.Delay(50);
        return (address, client);
    }

    /// <summary>A socket that declares a 5 MB PNG, sends its first <paramref name="bytes"/> (at least the signature) and stalls.</summary>
    private static async Task<TcpClient> StallAsync(Uri address, int bytes)
    {
        var socket = new TcpClient();
        await socket.ConnectAsync(address.Host, address.Port);
        var head = Encoding.ASCII.GetBytes($"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: {5 * 1024 * 1024}\r\n\r\n\u0089PNG");
        await socket.GetStream().WriteAsync(head);
        if (bytes > 4) await socket.GetStream().WriteAsync(new byte[bytes - 4]);
        return socket;
    }

    /// <summary>What the server has sent back on a stalled socket so far (it should be nothing).</summary>
    private static string Received(TcpClient socket)
    {
        if (socket.Available == 0) return socket.Client.Poll(0, SelectMode.SelectRead) ? "(closed)" : "(nothing)";
        var bytes = new byte[Math.Min(socket.Available, 400)];
        int n = socket.GetStream().Read(bytes);
        return Encoding.ASCII.GetString(bytes, 0, n).ReplaceLineEndings(" ");
    }
}
