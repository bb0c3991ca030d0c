using System.Net;
using LeNet5.Web.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SixLabors.ImageSharp.PixelFormats;

namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>
/// Expensive public work cannot crowd out predictions: heavy requests take several of their client's
/// permits, and at most HeavyWork:MaxConcurrent of them compute at once while plain predictions
/// never wait for a turn. The cap is held deterministically by taking its one turn in the test.
/// </summary>
public sealed class HeavyWorkTests
{
    private static readonly object Stroke = new { pixels = Enumerable.Range(0, 784).Select(i => i % 28 is >= 12 and < 16 && i / 28 is > 4 and < 24 ? 255 : 0) };

    private static (LeNet5WebFactory Factory, HttpClient Client) Start(params (string Key, string Value)[] settings)
    {
        var factory = LeNet5WebFactory.With(settings.ToDictionary(s => s.Key, s => (string?)s.Value));
        factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (factory, new HttpClient { BaseAddress = new Uri(address) });
    }

    private static Task<HttpResponseMessage> Nudge(HttpClient client, CancellationToken cancellationToken = default) =>
        client.PostAsync("/api/explain/nudge?target=7", ApiAssert.JsonBody(Stroke), cancellationToken);

    private static Task<HttpResponseMessage> Predict(HttpClient client) => client.PostAsync("/api/predict", ApiAssert.JsonBody(Stroke));

    [Fact]
    public async Task ANudgeTakesTenPermitsSoTheThirdInAWindowIs429WhileAPredictionStillPasses()
    {
        var (factory, client) = Start(("RateLimit:PermitLimit", "25"), ("RateLimit:WindowSeconds", "3600"));
        using var _ = factory;
        Assert.Equal(HttpStatusCode.OK, (await Nudge(client)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Nudge(client)).StatusCode);
        var refused = await Nudge(client);
        var problem = await ApiAssert.Problem(refused, HttpStatusCode.TooManyRequests);
        Assert.Contains("several requests", problem.GetProperty("detail").GetString());
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        await ApiAssert.Prediction(await Predict(client));
    }

    [Fact]
    public async Task ALargeImageIsChargedAsSuchOnceItsHeaderIsRead()
    {
        var (factory, client) = Start(("RateLimit:PermitLimit", "25"), ("RateLimit:WindowSeconds", "3600"));
        using var _ = factory;
        // 2000x2000 declared in a body of a few kilobytes: large by its pixels, not its bytes
        var large = TestImages.Plain(2000, 2000, new Rgba32(255, 255, 255, 255));
        Assert.True(large.Length < 256 * 1024);
        var first = await client.PostAsync("/api/predict", Bodies.Raw(large, "image/png"));
        Assert.NotEqual(HttpStatusCode.TooManyRequests, first.StatusCode); // a blank image: 422, but charged
        await ApiAssert.Problem(await client.PostAsync("/api/predict", Bodies.Raw(large, "image/png")), HttpStatusCode.TooManyRequests);
        await ApiAssert.Prediction(await Predict(client));
    }

    [Fact]
    public async Task WhileTheCapIsHeldAHeavyRequestIs503AndAPredictionIsAnswered()
    {
        var (factory, client) = Start(("HeavyWork:MaxConcurrent", "1"), ("HeavyWork:QueueLimit", "0"));
        using var _ = factory;
        var heavy = factory.Services.GetRequiredService<HeavyWork>();
        using (await heavy.EnterAsync(CancellationToken.None))
        {
            var refused = await Nudge(client);
            var problem = await ApiAssert.Problem(refused, HttpStatusCode.ServiceUnavailable);
            Assert.Contains("HeavyWork:MaxConcurrent", problem.GetProperty("title").GetString());
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
            await ApiAssert.Problem(await client.GetAsync("/api/models/lenet5-paper/dreams"), HttpStatusCode.ServiceUnavailable);
            await ApiAssert.Prediction(await Predict(client));
        }
        Assert.Equal(HttpStatusCode.OK, (await Nudge(client)).StatusCode);
    }

    [Fact]
    public async Task AHeavyRequestWaitsItsTurnWhileAPredictionGoesPast()
    {
        var (factory, client) = Start(("HeavyWork:MaxConcurrent", "1"), ("HeavyWork:QueueLimit", "4"), ("HeavyWork:QueueSeconds", "600"));
        using var _ = factory;
        var heavy = factory.Services.GetRequiredService<HeavyWork>();
        Task<HttpResponseMessage> waiting;
        using (await heavy.EnterAsync(CancellationToken.None))
        {
            waiting = Nudge(client);
            await Until(() => heavy.Waiting == 1);
            await ApiAssert.Prediction(await Predict(client));
            Assert.False(waiting.IsCompleted, "the nudge computed while the cap was held");
        }
        Assert.Equal(HttpStatusCode.OK, (await waiting).StatusCode);
    }

    [Fact]
    public async Task AClientThatGoesLeavesTheQueue()
    {
        var (factory, client) = Start(("HeavyWork:MaxConcurrent", "1"), ("HeavyWork:QueueLimit", "1"), ("HeavyWork:QueueSeconds", "600"));
        using var _ = factory;
        var heavy = factory.Services.GetRequiredService<HeavyWork>();
        using (await heavy.EnterAsync(CancellationToken.None))
        {
            using var going = new CancellationTokenSource();
            var gone = Nudge(client, going.Token);
            await Until(() => heavy.Waiting == 1);
            going.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gone);
            await Until(() => heavy.Waiting == 0);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds (the test's own timeout bounds it).</summary>
    private static async Task Until(Func<bool> condition)
    {
        while (!condition()) await Task.Delay(10);
    }

    [Fact]
    public async Task HeavyWorkComputesAtTheLowerPriorityAwaitsIncluded()
    {
        var (factory, client) = Start(("HeavyWork:Nice", "7"));
        using var _ = factory;
        using var __ = client;
        var heavy = factory.Services.GetRequiredService<HeavyWork>();
        var nice = await heavy.RunAsync(ThreadNice, CancellationToken.None);
        using (await heavy.EnterAsync(CancellationToken.None))
        {
            var afterAwait = await heavy.RunInTurnAsync(async () =>
            {
                await Task.Delay(10);
                await Task.Yield();
                return ThreadNice();
            }, CancellationToken.None);
            Assert.Equal(7, afterAwait);
        }
        Assert.Equal(7, nice);
    }

    /// <summary>The calling thread's Linux nice value: field 19 of /proc/thread-self/stat.</summary>
    private static int ThreadNice()
    {
        var stat = File.ReadAllText("/proc/thread-self/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], System.Globalization.CultureInfo.InvariantCulture);
    }
}
