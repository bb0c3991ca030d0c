using System.Globalization;
using LeNet5.Core.Models;

namespace LeNet5.Core.Recognition;

/// <summary>
/// When the network is not sure it sees a digit: its calibrated confidence is below
/// <see cref="MinConfidence"/> (a model's own <c>reject_threshold</c> metadata wins), or the prepared
/// image holds more ink than any MNIST digit (noise, blobs, dense scribbles: the network reads
/// random noise as a digit with confidence 0.98, so confidence alone does not catch them). Both
/// thresholds were chosen on MNIST test digits 0-4,999 against non-digits (docs/api.md, "rejected").
/// </summary>
/// <param name="MinConfidence">Rejected below this calibrated probability of the winning class.</param>
/// <param name="MaxInkCoverage">
/// Rejected above this share of full ink over the 784 pixels (MNIST test digits 0-4,999: median 0.12,
/// 99.9th percentile 0.29).
/// </param>
public sealed record RejectPolicy(double MinConfidence = 0.80, double MaxInkCoverage = 0.30)
{
    public static readonly RejectPolicy Default = new();

    public double MinConfidenceFor(LeNet5Model model) =>
        model.Metadata.TryGetValue(MetadataKeys.RejectThreshold, out var text)
        && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1
            ? value
            : MinConfidence;

    /// <summary>The share of full ink over the 784 pixels (0-255) of a prepared digit.</summary>
    public static double InkCoverage(ReadOnlySpan<float> pixels28)
    {
        double sum = 0;
        foreach (var v in pixels28) sum += v;
        return sum / (pixels28.Length * 255.0);
    }

    public bool IsRejected(Prediction prediction, ReadOnlySpan<float> pixels28, LeNet5Model model) =>
        prediction.Confidence < MinConfidenceFor(model) || InkCoverage(pixels28) > MaxInkCoverage;
}
