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
/// The per-client (remote IP address) rate limits, fixed windows, applied by one global limiter so that
/// nothing under <c>/api</c> escapes them, including paths no endpoint matches:
/// <list type="bullet">
/// <item><c>POST /login</c>: strict (RateLimit:LoginPermitLimit per RateLimit:LoginWindowSeconds), against token guessing;</item>
/// <item>the admin endpoints (<c>/api/training</c>, activating and deleting models): RateLimit:AdminPermitLimit per RateLimit:WindowSeconds;</item>
/// <item><c>POST /api/corrections</c>: RateLimit:CorrectionsPermitLimit per RateLimit:WindowSeconds, since each one is stored;</item>
/// <item>every other <c>/api/*</c> request: RateLimit:PermitLimit per RateLimit:WindowSeconds.</item>
/// </list>
/// <c>/healthz</c>, the pages, the static files and the start-up warm-up's own requests are not limited.
/// </summary>
public static class RateLimiting
{
    private const string Api = "api", Admin = "admin", Login = "login", Corrections = "corrections";

    public static IServiceCollection AddRateLimits(this IServiceCollection services)
    {
        services.AddSettings<RateLimitOptions>(RateLimitOptions.Section);
        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
            {
                var kind = Classify(http);
                if (kind is null) return RateLimitPartition.GetNoLimiter("none");
                var limits = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var (permits, seconds) = Limit(limits, kind);
                return RateLimitPartition.GetFixedWindowLimiter(
                    $"{kind}|{ClientKey.Of(http)}",
                    _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = permits,
                        Window = TimeSpan.FromSeconds(seconds),
                        QueueLimit = 0,
                    });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                var limits = http.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
                var kind = Classify(http) ?? Api;
                int retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait)
                    ? Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))
                    : Limit(limits, kind).Seconds;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await ProblemHandling.WriteAsync(http, kind switch
                {
                    Login => Problems.TooManyRequests(retryAfter, "sign-in attempts", "RateLimit:LoginPermitLimit per RateLimit:LoginWindowSeconds"),
                    Admin => Problems.TooManyRequests(retryAfter, "admin API requests", "RateLimit:AdminPermitLimit per RateLimit:WindowSeconds"),
                    Corrections => Problems.TooManyRequests(retryAfter, "corrections", "RateLimit:CorrectionsPermitLimit per RateLimit:WindowSeconds"),
                    _ => Problems.TooManyRequests(retryAfter, "requests", "RateLimit:PermitLimit per RateLimit:WindowSeconds"),
                });
            };
        });
        return services;
    }

    /// <summary>Which limit a request counts against, or null for none.</summary>
    private static string? Classify(HttpContext http)
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

    private static (int Permits, int Seconds) Limit(RateLimitOptions limits, string kind) => kind switch
    {
        Login => (limits.LoginPermitLimit, limits.LoginWindowSeconds),
        Admin => (limits.AdminPermitLimit, limits.WindowSeconds),
        Corrections => (limits.CorrectionsPermitLimit, limits.WindowSeconds),
        _ => (limits.PermitLimit, limits.WindowSeconds),
    };
}
