using System.Globalization;
using LeNet5.Core.Models;
using LeNet5.Web.Options;

namespace LeNet5.Web.Features.Predict;

/// <summary>
/// Decides whether the network is not sure it sees a digit: its calibrated confidence is below the
/// threshold (the model's own <c>reject_threshold</c> metadata, else <see cref="PredictionOptions.MinConfidence"/>),
/// or the prepared picture holds far more ink than any MNIST digit (noise, blobs, dense scribbles).
/// </summary>
public static class RejectPolicy
{
    public static double MinConfidence(LeNet5Model model, PredictionOptions options) =>
        model.Metadata.TryGetValue(MetadataKeys.RejectThreshold, out var text)
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
            ? value
            : options.MinConfidence;

    /// <summary>The share of full ink over the 784 pixels (0-255) of a prepared digit.</summary>
    public static double InkCoverage(ReadOnlySpan<float> pixels28)
    {
        double sum = 0;
        foreach (var v in pixels28) sum += v;
        return sum / (pixels28.Length * 255.0);
    }

    public static bool IsRejected(Prediction prediction, ReadOnlySpan<float> pixels28, LeNet5Model model, PredictionOptions options) =>
        prediction.Confidence < MinConfidence(model, options) || InkCoverage(pixels28) > options.MaxInkCoverage;
}
