namespace LeNet5.Core.Training;

/// <summary>What one epoch achieved.</summary>
public sealed record EpochMetrics(
    int Epoch,
    double TrainError,
    double TestError,
    double Loss,
    double ImagesPerSecond,
    double Seconds,
    double Epsilon,
    IReadOnlyDictionary<string, double> LearningRates);

/// <summary>Progress within an epoch, reported every few batches.</summary>
public readonly record struct BatchProgress(int Epoch, int Batch, int Batches, double Loss, double ImagesPerSecond);
