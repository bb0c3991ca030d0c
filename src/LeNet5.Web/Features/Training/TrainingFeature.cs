using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry.Metrics;

namespace LeNet5.Web.Features.Training;

/// <summary>Training in the background: the run store and views, the run state machine and its executor, the hosted service, the API and its settings' descriptions.</summary>
public static class TrainingFeature
{
    public static IServiceCollection AddTraining(this IServiceCollection services)
    {
        services.AddCluster();
        services.AddSettings<TrainingServiceOptions>(TrainingServiceOptions.Section);
        services.AddSingleton<RunStore>();
        services.AddSingleton<RunCheckpoints>();
        services.AddSingleton<RunViews>();
        services.AddSingleton<RunEventStreams>();
        services.TryAddSingleton<MnistSource>(); // the test set's digits are read from the same copy
        services.AddSingleton<TrainingRuns>();
        services.AddSingleton<TrainingExecutor>();
        services.AddHostedService<TrainingService>();
        services.AddTrainingSettingDocs();
        services.AddSingleton<TrainingMetrics>();
        services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddMeter(TrainingMetrics.MeterName));
        return services;
    }

    public static IEndpointRouteBuilder MapTraining(this IEndpointRouteBuilder app)
    {
        _ = app.ServiceProvider.GetRequiredService<TrainingMetrics>(); // its gauges are published from the start, not from the first run's request
        return app.MapTrainingEndpoints();
    }
}
