using Serilog;
using Serilog.Events;

namespace LeNet5.Web.Infrastructure;

/// <summary>
/// Structured logs through Serilog (configured by the <c>Serilog</c> section), one line per request,
/// with control characters neutralised in every value. <c>Logging:Json=true</c> writes each event as
/// one line of JSON (Serilog's compact format) instead of text.
/// </summary>
public static class Logging
{
    private const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static IServiceCollection AddStructuredLogging(this IServiceCollection services) =>
        services.AddSerilog((provider, logger) =>
        {
            var configuration = provider.GetRequiredService<IConfiguration>();
            logger.ReadFrom.Configuration(configuration).ReadFrom.Services(provider).Enrich.FromLogContext().Enrich.With<ControlCharacterEnricher>();
            if (provider.GetService<WarmupState>() is { } warmup) logger.Filter.ByExcluding(warmup.Hides);
            if (configuration.GetValue<bool>("Logging:Json")) logger.WriteTo.Console(new Serilog.Formatting.Compact.RenderedCompactJsonFormatter());
            else logger.WriteTo.Console(outputTemplate: TextTemplate);
        });

    public static WebApplication UseRequestLogging(this WebApplication app)
    {
        var warmup = app.Services.GetService<WarmupState>();
        // as Serilog's default, an exception or a 5xx is an error, except a 503 while the app warms up
        app.UseSerilogRequestLogging(options => options.GetLevel = (http, _, exception) =>
            exception is null && (http.Response.StatusCode < 500 || warmup?.Expects(http) == true) ? LogEventLevel.Information : LogEventLevel.Error);
        return app;
    }
}
