namespace LeNet5.Web.Features.Predict;

/// <summary>
/// When a prediction is <c>rejected</c> (section <c>Prediction</c>): the thresholds of the engine's
/// <see cref="RejectPolicy"/>, whose defaults are the calibrated ones (docs/api.md, "rejected").
/// </summary>
public sealed class PredictionOptions
{
    public const string Section = "Prediction";

    /// <summary>Rejected below this calibrated confidence; a model whose metadata holds <c>reject_threshold</c> uses that instead.</summary>
    [Range(0.0, 1.0)]
    public double MinConfidence { get; set; } = RejectPolicy.Default.MinConfidence;

    /// <summary>Rejected above this share of full ink over the prepared 28x28 image.</summary>
    [Range(0.0, 1.0)]
    public double MaxInkCoverage { get; set; } = RejectPolicy.Default.MaxInkCoverage;

    public RejectPolicy ToPolicy() => new(MinConfidence, MaxInkCoverage);
}
