using Microsoft.AspNetCore.Server.Kestrel.Core;
using LeNet5.Imaging;
using OpenTelemetry.Metrics;

namespace LeNet5.Web.Features.Predict;

/// <summary>Recognising images: the hardened decoder, the engine's recognizer with the configured policy, the request reader and the endpoints.</summary>
public static class PredictFeature
{
    public static IServiceCollection AddPredict(this IServiceCollection services)
    {
        services.AddSettings<LimitsOptions>(LimitsOptions.Section);
        services.AddSettings<PredictionOptions>(PredictionOptions.Section);
        services.AddSingleton(sp =>
        {
            var limits = sp.GetRequiredService<IOptions<LimitsOptions>>().Value;
            return new DigitImagePreparer(new ImageLimits(limits.MaxImageWidth, limits.MaxImageHeight, limits.ImageAllocationLimitMegabytes)
            {
                DecodeTimeout = TimeSpan.FromMilliseconds(limits.DecodeTimeoutMilliseconds),
            });
        });
        // the thresholds are read on every request: a change to appsettings.json's Prediction section applies without a restart
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptionsMonitor<PredictionOptions>>();
            return new DigitRecognizer(sp.GetRequiredService<DigitImagePreparer>(), () => options.CurrentValue.ToPolicy());
        });
        services.AddSingleton<BodySlots>();
        services.AddSingleton<ImageAdmission>();
        // Kestrel is built with the app, before the settings are checked: it reads the section itself, and a bad value is reported by the check
        services.AddOptions<KestrelServerOptions>().Configure<IConfiguration>((kestrel, configuration) =>
        {
            var limits = new LimitsOptions();
            configuration.GetSection(LimitsOptions.Section).Bind(limits);
            kestrel.Limits.MinRequestBodyDataRate = limits.MinBodyBytesPerSecond > 0 ? new MinDataRate(limits.MinBodyBytesPerSecond, TimeSpan.FromSeconds(5)) : null;
        });
        services.AddSingleton<PredictRequestReader>();
        services.AddSingleton<PredictionService>();
        services.AddSingleton<PredictMetrics>();
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(PredictMetrics.MeterName));
        return services;
    }

    public static IEndpointRouteBuilder MapPredict(this IEndpointRouteBuilder app) => app.MapPredictEndpoints();
}
