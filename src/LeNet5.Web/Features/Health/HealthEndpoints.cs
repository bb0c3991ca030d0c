using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LeNet5.Web.Features.Health;

/// <summary><c>GET /healthz</c>: 200 "Healthy" when a model is loaded and active, 503 otherwise.</summary>
public static class HealthEndpoints
{
    public const string Path = "/healthz";

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ActiveModelHealthCheck>("active-model");
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks(Path).WithTags("Health").DisableRateLimiting();
        return app;
    }
}

/// <summary>Healthy while the registry has an active model.</summary>
internal sealed class ActiveModelHealthCheck(ModelRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(registry.Active is { } active
            ? HealthCheckResult.Healthy($"model {active.Id} is active")
            : HealthCheckResult.Unhealthy($"no model is loaded from {registry.DirectoryPath}"));
}
