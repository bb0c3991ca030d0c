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
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = new Uri(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        using var client = new HttpClient { BaseAddress = address };
        // the start-up warm-up's own requests take slots too: start once the app reports healthy
        for (int i = 0; i < 600 && (await client.GetAsync("/healthz")).StatusCode != HttpStatusCode.OK; i++) await Task.Delay(50);
        var stalled = new List<TcpClient>();
        for (int i = 0; i < 2; i++)
        {
            var socket = new TcpClient();
            await socket.ConnectAsync(address.Host, address.Port);
            var head = $"POST /api/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\nContent-Length: {5 * 1024 * 1024}\r\n\r\n";
            await socket.GetStream().WriteAsync(Encoding.ASCII.GetBytes(head + "\u0089PNG"));
            stalled.Add(socket);
        }

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

    /// <summary>What the server has sent back on a stalled socket so far (it should be nothing).</summary>
    private static string Received(TcpClient socket)
    {
        if (socket.Available == 0) return socket.Client.Poll(0, SelectMode.SelectRead) ? "(closed)" : "(nothing)";
        var bytes = new byte[Math.Min(socket.Available, 400)];
        int n = socket.GetStream().Read(bytes);
        return Encoding.ASCII.GetString(bytes, 0, n).ReplaceLineEndings(" ");
    }
}
