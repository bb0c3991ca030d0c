using Serilog;

namespace LeNet5.Web.Infrastructure;

/// <summary>Structured logs through Serilog (configured by the <c>Serilog</c> section), one line per request.</summary>
public static class Logging
{
    public static IServiceCollection AddStructuredLogging(this IServiceCollection services) =>
        services.AddSerilog((provider, logger) => logger
            .ReadFrom.Configuration(provider.GetRequiredService<IConfiguration>())
            .ReadFrom.Services(provider)
            .Enrich.FromLogContext());

    public static WebApplication UseRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging();
        return app;
    }
}
