using System.Diagnostics.Metrics;

namespace LeNet5.Web.Features.Training;

/// <summary>The run this replica trains, published at its /metrics: its training speed and the epoch it is on (nothing while it trains none).</summary>
public sealed class TrainingMetrics
{
    public const string MeterName = "LeNet5.Web.Training";

    public TrainingMetrics(IMeterFactory meters, TrainingRuns runs)
    {
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("lenet5.training.images_per_second",
            () => runs.LocalRun is { ImagesPerSecond: { } rate } ? [new Measurement<double>(rate)] : Array.Empty<Measurement<double>>(),
            unit: "{image}/s", description: "Training images per second of the run going.");
        meter.CreateObservableGauge("lenet5.training.epoch",
            () => runs.LocalRun is { } live ? [new Measurement<int>(live.Epoch)] : Array.Empty<Measurement<int>>(),
            description: "The epoch the run going is on.");
    }
}
