using System.Text.Json.Serialization;
using LeNet5.Core.Data;

namespace LeNet5.Core.Training;

/// <summary>What one epoch achieved; <see cref="CorrectionsTestError"/> is the error on the run's <see cref="CorrectionSamples.Test"/>, when it has one.</summary>
public sealed record EpochMetrics(
    int Epoch,
    double TrainError,
    double TestError,
    double Loss,
    double ImagesPerSecond,
    double Seconds,
    double Epsilon,
    IReadOnlyDictionary<string, double> LearningRates,
    [property: JsonPropertyName("extraTestError")] double? CorrectionsTestError = null); // the name model files and the API have always used

/// <summary>Progress within an epoch, reported every few batches.</summary>
public readonly record struct BatchProgress(int Epoch, int Batch, int Batches, double Loss, double ImagesPerSecond);

/// <summary>
/// Samples a run takes beside MNIST (the web app's reviewed drawings, say): <see cref="Train"/> is
/// appended to the training set <see cref="Weight"/> times, so each of its samples counts that many
/// MNIST samples per epoch; <see cref="Test"/> is evaluated after every epoch, beside MNIST's test set,
/// and never trained on.
/// </summary>
public sealed record CorrectionSamples(MnistSplit? Train, int Weight, MnistSplit? Test)
{
    public const int MaxWeight = 1000;

    public static readonly CorrectionSamples None = new(null, 1, null);
}
