namespace LeNet5.Web.Features.Training;

/// <summary>A run as the API shows it.</summary>
public sealed record RunView(
    long Id,
    RunStatus Status,
    TrainingSettings Settings,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    int Epoch,
    int Epochs,
    int CompletedEpochs,
    double Progress,
    double? ImagesPerSecond,
    double? EtaSeconds,
    RunPhase? Phase,
    IReadOnlyList<EpochMetrics> History,
    IReadOnlyDictionary<string, double>? LearningRates,
    string? ModelId,
    double? TestAccuracy,
    string? Error)
{
    /// <summary>The per-batch loss so far, as [x, loss] pairs with x in epochs (only in <c>GET /api/training/{id}</c> and the event stream).</summary>
    public IReadOnlyList<double[]>? LossCurve { get; init; }

    /// <summary>The corrections the run trains on (with their weight) and tests on, counted when it first started, and the model it started from.</summary>
    [System.Text.Json.Serialization.JsonPropertyName("extras")] // the API's name since it was first published
    public RunInputsView? Inputs { get; init; }

    /// <summary>The replica training it (its Replica:Name) while it runs, or the one that trained it last when it ended; null while it waits for one.</summary>
    public string? Trainer { get; init; }
}

/// <summary>The answer to starting, resuming or canceling a run.</summary>
public sealed record RunAccepted(long Id, RunStatus Status);

/// <summary>Progress within a run, sent a few times a second.</summary>
public sealed record ProgressEvent(
    long Id, int Epoch, int Epochs, int Batch, int Batches, double Loss, double ImagesPerSecond, double Progress, double? EtaSeconds, RunPhase Phase);

/// <summary>
/// A running run's progress as its trainer last reported it (kept in the run's row, so every replica
/// can show it): the epoch under way, the fraction done, speed, ETA, phase, the last SDLM learning
/// rates, and the last progress event.
/// </summary>
public sealed record LiveProgress(
    int Epoch, int Epochs, double Progress, double? ImagesPerSecond, double? EtaSeconds, RunPhase Phase,
    IReadOnlyDictionary<string, double>? LearningRates, ProgressEvent? Last);

/// <summary>A finished epoch, with the run's progress.</summary>
public sealed record EpochEvent(long Id, EpochMetrics Metrics, double Progress, double? EtaSeconds);

/// <summary>The confusion matrix of a finished run on the 10,000 MNIST test digits: rows are true labels, columns predictions.</summary>
public sealed record ConfusionView(long Id, string? ModelId, double? TestAccuracy, int[][] Matrix);

/// <summary>Misclassified test digits of a finished run.</summary>
public sealed record MistakesView(long Id, string? ModelId, int Total, IReadOnlyList<MistakeView> Items);

/// <summary>One misclassified test digit: its index in the MNIST test set, labels, and 784 pixels (28x28, row-major, 0 background, 255 ink).</summary>
public sealed record MistakeView(int Index, int Label, int Predicted, int[] Pixels);

/// <summary>Optional body of <c>POST /api/training/{id}/resume</c>: a new total epoch count.</summary>
public sealed record ResumeRequest(int? Epochs);
