using LeNet5.Web.Features.Admin;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;

namespace LeNet5.Web.Features.Health;

/// <summary>
/// How the app is doing, for the people who run it: <c>GET /healthz</c> (200 "Healthy" when the
/// warm-up has run, a model is loaded and active and no image's decode is stuck past its deadline, 503 otherwise) and <c>GET /metrics</c>, OpenTelemetry metrics in Prometheus's
/// text format, for the admin's bearer token or a scraper on <see cref="MetricsOptions.AllowedNetworks"/> only: ASP.NET Core's own (requests, their duration, Kestrel's connections) and ours
/// (<see cref="PredictMetrics"/>, <see cref="TrainingMetrics"/>).
/// </summary>
public static class HealthEndpoints
{
    public const string Path = "/healthz", MetricsPath = "/metrics";

    private const string MetricsPolicy = "metrics";

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<ActiveModelHealthCheck>("active-model")
            .AddCheck<DecodingHealthCheck>("decoding")
            .AddCheck<DatabaseHealthCheck>("database", tags: [], timeout: TimeSpan.FromSeconds(3));
        services.AddSettings<MetricsOptions>(MetricsOptions.Section);
        // the operators' view: the admin (its token as a bearer token) or a scraper from an allowed network
        services.AddAuthorizationBuilder().AddPolicy(MetricsPolicy, p => p.RequireAssertion(context =>
            context.User.IsInRole(AdminAuthentication.Role) ||
            (context.Resource is HttpContext http && http.RequestServices.GetRequiredService<IOptions<MetricsOptions>>().Value.Allows(http.Connection.RemoteIpAddress))));
        // the features register their own meters (PredictMetrics, TrainingMetrics) with the same provider
        services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddAspNetCoreInstrumentation()
            .AddMeter("Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(Path).WithTags("Health").DisableRateLimiting();
        app.MapPrometheusScrapingEndpoint(MetricsPath).RequireAuthorization(MetricsPolicy).DisableRateLimiting();
        return app;
    }
}

/// <summary>Healthy once the warm-up has run and while the registry has an active model.</summary>
internal sealed class ActiveModelHealthCheck(ModelRegistry registry, WarmupState warmup) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(!warmup.Done ? HealthCheckResult.Unhealthy("warming up")
            : registry.Active is { } active
            ? HealthCheckResult.Healthy($"model {active.Id} is active")
            : HealthCheckResult.Unhealthy($"no model is loaded from {registry.DirectoryPath}"));
}

/// <summary>
/// Unhealthy while an image's decode runs past its deadline: it holds a core that no request can get
/// back, so an orchestrator should see it (and restart the replica if it never ends).
/// </summary>
internal sealed class DecodingHealthCheck(LeNet5.Imaging.DigitImagePreparer preparer) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(preparer.StuckDecodes is var stuck and > 0
            ? HealthCheckResult.Unhealthy($"{stuck} image decode(s) running past their deadline")
            : HealthCheckResult.Healthy("no decode is stuck"));
}

/// <summary>
/// Unhealthy while the database does not answer (a replica without it can still answer predictions,
/// but not sign-ins, corrections or training, so a balancer should prefer the others); healthy again
/// as soon as it does, without a restart: every operation opens its own connection.
/// </summary>
internal sealed class DatabaseHealthCheck(Database database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await database.AnswersAsync(cancellationToken)
            ? HealthCheckResult.Healthy($"{database.Description} answers")
            : HealthCheckResult.Unhealthy($"{database.Description} does not answer");
}
