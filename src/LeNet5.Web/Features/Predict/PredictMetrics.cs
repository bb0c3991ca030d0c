using System.Diagnostics.Metrics;

namespace LeNet5.Web.Features.Predict;

/// <summary>What the predictions measure, published at /metrics: answers by model, digit and verdict, their time, and refused images by kind.</summary>
public sealed class PredictMetrics
{
    public const string MeterName = "LeNet5.Web.Predict";

    private readonly Counter<long> _predictions;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _refused;

    public PredictMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _predictions = meter.CreateCounter<long>("lenet5.predictions", description: "Images and pixel grids answered, by model, digit and whether the answer was rejected.");
        _duration = meter.CreateHistogram<double>("lenet5.recognition.duration", unit: "s",
            description: "Time to prepare and recognise one input (decoding included for images), by input kind.");
        _refused = meter.CreateCounter<long>("lenet5.preparation.failures", description: "Inputs that could not become a digit, by kind: undecodable, too_large, blank, too_slow or unavailable.");
    }

    public void Answered(string model, int digit, bool rejected, bool image, double seconds)
    {
        _predictions.Add(1, new("model", model), new("digit", digit), new("rejected", rejected));
        _duration.Record(seconds, new KeyValuePair<string, object?>("input", image ? "image" : "pixels"));
    }

    public void Refused(Core.Preparation.PreparationFailure kind) =>
        _refused.Add(1, new KeyValuePair<string, object?>("kind", kind switch
        {
            Core.Preparation.PreparationFailure.TooLarge => "too_large",
            Core.Preparation.PreparationFailure.Blank => "blank",
            Core.Preparation.PreparationFailure.TooSlow => "too_slow",
            Core.Preparation.PreparationFailure.Unavailable => "unavailable",
            _ => "undecodable",
        }));
}
