using System.ComponentModel.DataAnnotations;

namespace LeNet5.Web.Options;

/// <summary>
/// When a prediction is <c>rejected</c> (section <c>Prediction</c>): the network is not sure it sees a
/// digit. Both thresholds were chosen on held-out MNIST test digits against non-digits; see README.
/// </summary>
public sealed class PredictionOptions
{
    public const string Section = "Prediction";

    /// <summary>
    /// Rejected below this calibrated confidence (the winning class's probability at the model's fitted
    /// temperature). A model whose metadata holds <c>reject_threshold</c> uses that value instead.
    /// </summary>
    [Range(0.0, 1.0)]
    public double MinConfidence { get; set; } = 0.80;

    /// <summary>
    /// Rejected when the prepared 28x28 picture holds more ink than this share of full ink over all its
    /// pixels: noise, blobs and dense scribbles (MNIST test digits 0-4999: median 0.12, 99.9th percentile 0.29).
    /// </summary>
    [Range(0.0, 1.0)]
    public double MaxInkCoverage { get; set; } = 0.30;
}
