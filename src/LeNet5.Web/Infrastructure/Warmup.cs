using System.Diagnostics;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using System.Security.Cryptography;
using System.Text;
using Serilog.Events;

namespace LeNet5.Web.Infrastructure;

/// <summary>
/// Whether the warm-up has run (until it has, <c>/healthz</c> answers 503 "warming up"), and the
/// secret that marks its requests: they count against no client's rate limit.
/// </summary>
public sealed class WarmupState
{
    public const string Header = "X-LeNet5-Warmup";

    private readonly byte[] _token = Encoding.ASCII.GetBytes(Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
    private volatile bool _done;

    public bool Done => _done;

    public string Token => Encoding.ASCII.GetString(_token);

    public void Finish() => _done = true;

    /// <summary>The health checks' logger: it writes an Unhealthy check as an error.</summary>
    private const string HealthChecksSource = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    /// <summary>
    /// Whether a log event is one of the health checks' warnings or errors while the app warms up. Those
    /// are not written: "warming up" is the expected state of a starting app, not an error (the warm-up
    /// says at Information when it starts and ends). Once it is done, an unhealthy check is an error again.
    /// </summary>
    public bool Hides(LogEvent logEvent) =>
        !_done && logEvent.Level >= LogEventLevel.Warning
        && logEvent.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: HealthChecksSource };

    /// <summary>A 503 answered while the app warms up (<c>/healthz</c>'s, say) is expected: it is logged below Warning.</summary>
    public bool Expects(HttpContext http) => !_done && http.Response.StatusCode == StatusCodes.Status503ServiceUnavailable;

    /// <summary>Whether this request is one of the warm-up's own (the header carries this process's secret).</summary>
    public bool IsWarmup(HttpRequest request) =>
        !_done && request.Headers.TryGetValue(Header, out var value) && value.Count == 1 && value[0] is { Length: 32 } text
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(text), _token);
}

/// <summary>The warm-up: see <see cref="Warmup"/>.</summary>
public static class WarmupRegistration
{
    public static IServiceCollection AddWarmup(this IServiceCollection services)
    {
        services.AddSingleton<WarmupState>();
        services.AddHostedService<Warmup>();
        return services;
    }
}

/// <summary>
/// Runs the app's hot paths once before it reports healthy, so that the first visitor does not pay
/// for the JIT, the routing tables, the decoders and the serialisers (about 200 ms on this machine):
/// once the server listens, a few real requests to itself over loopback (a page drawing and JSON
/// pixels to <c>/api/predict</c>, a blank one for the problem path, the model list, the drawing
/// page). Under the in-memory test server, which has no address, it finishes at once.
/// </summary>
internal sealed class Warmup(IServer server, IHostApplicationLifetime lifetime, WarmupState state, ILogger<Warmup> log) : BackgroundService
{
    private const int Rounds = 3;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenStarted(lifetime, stoppingToken);
            if (LoopbackAddress(server) is not { } address)
            {
                return;
            }
            log.LogInformation("Warming up with requests to {Address}; /healthz answers 503 until it is done", address);
            var clock = Stopwatch.StartNew();
            using var client = new HttpClient(new SocketsHttpHandler
            {
                // our own server, over loopback: its certificate (a development one, say) need not be trusted here
                SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            client.DefaultRequestHeaders.Add(WarmupState.Header, state.Token);
            byte[] drawing = Drawing();
            var pixels = JsonSerializer.Serialize(new { pixels = StrokePixels() });
            var blank = JsonSerializer.Serialize(new { pixels = new int[784] });
            int answered = 0;
            for (int round = 0; round < Rounds; round++)
            {
                answered += await SendAsync(client, HttpMethod.Post, "/api/predict", new ByteArrayContent(drawing) { Headers = { ContentType = new MediaTypeHeaderValue("image/png") } }, stoppingToken);
                answered += await SendAsync(client, HttpMethod.Post, "/api/predict", new StringContent(pixels, MediaTypeHeaderValue.Parse("application/json")), stoppingToken);
                answered += await SendAsync(client, HttpMethod.Post, "/api/predict", new StringContent(blank, MediaTypeHeaderValue.Parse("application/json")), stoppingToken);
                answered += await SendAsync(client, HttpMethod.Get, "/api/models", null, stoppingToken);
                answered += await SendAsync(client, HttpMethod.Get, "/", null, stoppingToken);
            }
            log.LogInformation("Warmed up with {Requests} requests to {Address} in {ElapsedMs:0} ms", answered, address, clock.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or OperationCanceledException)
        {
            // a warm-up that cannot reach the server only costs the first visitor some milliseconds
            log.LogWarning("The warm-up could not reach the server: {Reason}", ex.Message);
        }
        finally
        {
            state.Finish();
        }
    }

    private static async Task<int> SendAsync(HttpClient client, HttpMethod method, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await client.SendAsync(request, cancellationToken);
        await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return 1;
    }

    private static Task WhenStarted(IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        return started.Task;
    }

    /// <summary>The server's own address over loopback (http preferred), or null when it listens on none (the in-memory test server).</summary>
    private static Uri? LoopbackAddress(IServer server)
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var scheme in (string[])["http", "https"])
        {
            foreach (var address in addresses)
            {
                if (!Uri.TryCreate(address.Replace("://+", "://localhost").Replace("://*", "://localhost"), UriKind.Absolute, out var uri) || uri.Scheme != scheme) continue;
                // a wildcard or any-address binding answers on loopback too
                var host = uri.Host is "0.0.0.0" or "[::]" or "::" ? "127.0.0.1" : uri.Host;
                return new UriBuilder(uri) { Host = host }.Uri;
            }
        }
        return null;
    }

    private static byte[] Drawing()
    {
        using var stream = typeof(Warmup).Assembly.GetManifestResourceStream("warmup-drawing.png")
            ?? throw new InvalidOperationException("the warm-up drawing is not embedded");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>A vertical stroke in the middle of the 28x28: a 1.</summary>
    private static int[] StrokePixels()
    {
        var pixels = new int[784];
        for (int y = 4; y < 24; y++)
            for (int x = 13; x < 16; x++)
                pixels[y * 28 + x] = 255;
        return pixels;
    }
}
