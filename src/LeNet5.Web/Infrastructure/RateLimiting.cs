using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace LeNet5.Web.Infrastructure;

/// <summary>Marks an admin endpoint (see <c>RequireAdmin</c>): it counts against the admin rate limit.</summary>
public sealed class AdminEndpointMetadata
{
    public static readonly AdminEndpointMetadata Instance = new();

    private AdminEndpointMetadata()
    {
    }
}

/// <summary>Marks the endpoint that stores a contributed drawing: it counts against the corrections limit.</summary>
public sealed class CorrectionsEndpointMetadata
{
    public static readonly CorrectionsEndpointMetadata Instance = new();

    private CorrectionsEndpointMetadata()
    {
    }
}

/// <summary>
/// How many of its client's permits a request takes from its rate limit, declared where its endpoint
/// is mapped (<see cref="RateLimiting.Costs"/>): a prediction of a canvas drawing takes one
/// (<see cref="Plain"/>); work that costs the server more (an explanation, a nudge, dreams, a
/// download, a batch) takes more, roughly in proportion to its CPU time, so that a client within
/// its limit cannot buy a hundred times the CPU of one that draws. A request that turns out heavier
/// once its body is read (a large image) is charged the difference then (<see cref="ClientRateLimiter.Raise"/>).
/// </summary>
public sealed class RequestCost(int permits)
{
    public const int Plain = 1;

    public int Permits { get; } = permits;

    /// <summary>What this request costs so far: its endpoint's cost, or more once raised.</summary>
    public static int Of(HttpContext http) =>
        http.Features.Get<RequestCost>()?.Permits ?? http.GetEndpoint()?.Metadata.GetMetadata<RequestCost>()?.Permits ?? Plain;
}

/// <summary>
/// The per-client (remote IP address) rate limits, fixed windows, applied by one global limiter so that
/// nothing under <c>/api</c> escapes them, including paths no endpoint matches:
/// <list type="bullet">
/// <item><c>POST /login</c>: strict (RateLimit:LoginPermitLimit per RateLimit:LoginWindowSeconds), against token guessing;</item>
/// <item>the admin endpoints (<c>/api/training</c>, activating and deleting models): RateLimit:AdminPermitLimit per RateLimit:WindowSeconds;</item>
/// <item><c>POST /api/corrections</c>: RateLimit:CorrectionsPermitLimit per RateLimit:WindowSeconds, since each one is stored;</item>
/// <item>every other <c>/api/*</c> request: RateLimit:PermitLimit per RateLimit:WindowSeconds.</item>
/// </list>
/// A request takes its <see cref="RequestCost"/> in permits. <c>/healthz</c>, the pages, the static
/// files and the start-up warm-up's own requests are not limited.
/// </summary>
public static class RateLimiting
{
    internal const string Api = "api", Admin = "admin", Login = "login", Corrections = "corrections";

    public static IServiceCollection AddRateLimits(this IServiceCollection services)
    {
        services.AddSettings<RateLimitOptions>(RateLimitOptions.Section);
        services.AddSingleton<ClientRateLimiter>();
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = async (context, cancellationToken) =>
                await ProblemHandling.WriteAsync(context.HttpContext, Rejected(context.HttpContext, context.Lease));
        });
        services.AddOptions<RateLimiterOptions>().Configure<ClientRateLimiter>((options, limiter) => options.GlobalLimiter = limiter);
        return services;
    }

    /// <summary>The endpoint takes <paramref name="permits"/> of its client's permits per request (see <see cref="RequestCost"/>).</summary>
    public static TBuilder Costs<TBuilder>(this TBuilder builder, int permits) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequestCost(permits));

    /// <summary>The 429 problem, with Retry-After, of a request its client's limit refused.</summary>
    internal static ApiProblem Rejected(HttpContext http, RateLimitLease lease)
    {
        var limits = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        var kind = Classify(http) ?? Api;
        int retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
            ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
            : Limit(limits, kind).Seconds;
        return kind switch
        {
            Login => Problems.TooManyRequests(retryAfter, "sign-in attempts", "RateLimit:LoginPermitLimit per RateLimit:LoginWindowSeconds"),
            Admin => Problems.TooManyRequests(retryAfter, "admin API requests", "RateLimit:AdminPermitLimit per RateLimit:WindowSeconds"),
            Corrections => Problems.TooManyRequests(retryAfter, "corrections", "RateLimit:CorrectionsPermitLimit per RateLimit:WindowSeconds"),
            _ => Problems.TooManyRequests(retryAfter, "requests", "RateLimit:PermitLimit per RateLimit:WindowSeconds; " +
                "explanations, nudges, dreams, parameters, downloads, batches and large images count as several requests each"),
        };
    }

    /// <summary>Which limit a request counts against, or null for none.</summary>
    internal static string? Classify(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint?.Metadata.GetMetadata<DisableRateLimitingAttribute>() is not null) return null;
        var request = http.Request;
        if (http.RequestServices.GetRequiredService<WarmupState>().IsWarmup(request)) return null;
        if (HttpMethods.IsPost(request.Method) && request.Path.Equals("/login", StringComparison.OrdinalIgnoreCase)) return Login;
        if (endpoint?.Metadata.GetMetadata<AdminEndpointMetadata>() is not null) return Admin;
        if (endpoint?.Metadata.GetMetadata<CorrectionsEndpointMetadata>() is not null) return Corrections;
        return request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) ? Api : null;
    }

    internal static (int Permits, int Seconds) Limit(RateLimitOptions limits, string kind) => kind switch
    {
        Login => (limits.LoginPermitLimit, limits.LoginWindowSeconds),
        Admin => (limits.AdminPermitLimit, limits.WindowSeconds),
        Corrections => (limits.CorrectionsPermitLimit, limits.WindowSeconds),
        _ => (limits.PermitLimit, limits.WindowSeconds),
    };
}

/// <summary>
/// The global limiter of <see cref="RateLimiting"/>: one fixed window per limit and client, from
/// which each request takes its <see cref="RequestCost"/> in permits (the middleware asks for one).
/// A cost above the whole window's permits takes the whole window, rather than never being served.
/// </summary>
public sealed class ClientRateLimiter : PartitionedRateLimiter<HttpContext>
{
    private readonly PartitionedRateLimiter<HttpContext> _windows = PartitionedRateLimiter.Create<HttpContext, string>(http =>
    {
        var kind = RateLimiting.Classify(http);
        if (kind is null) return RateLimitPartition.GetNoLimiter("none");
        var (permits, seconds) = RateLimiting.Limit(Options(http), kind);
        return RateLimitPartition.GetFixedWindowLimiter(
            $"{kind}|{ClientKey.Of(http)}",
            _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = permits,
                Window = TimeSpan.FromSeconds(seconds),
                QueueLimit = 0,
            });
    });

    /// <summary>
    /// Charges this request more permits now that it costs <paramref name="permits"/> in all (a large
    /// image, found once its body is read), or throws the 429 problem; nothing when it was charged as much already.
    /// </summary>
    public void Raise(HttpContext http, int permits)
    {
        int charged = RequestCost.Of(http);
        if (permits <= charged) return;
        using var lease = _windows.AttemptAcquire(http, Clamp(http, permits - charged));
        if (!lease.IsAcquired) throw RateLimiting.Rejected(http, lease);
        http.Features.Set(new RequestCost(permits));
    }

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => _windows.GetStatistics(resource);

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
        _windows.AttemptAcquire(resource, Clamp(resource, permitCount * RequestCost.Of(resource)));

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        _windows.AcquireAsync(resource, Clamp(resource, permitCount * RequestCost.Of(resource)), cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing) _windows.Dispose();
        base.Dispose(disposing);
    }

    private static int Clamp(HttpContext http, int permits) =>
        RateLimiting.Classify(http) is { } kind ? Math.Min(permits, RateLimiting.Limit(Options(http), kind).Permits) : permits;

    private static RateLimitOptions Options(HttpContext http) => http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
}
