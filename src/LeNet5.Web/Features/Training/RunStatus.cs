namespace LeNet5.Web.Features.Training;

/// <summary>The states of a training run (stored and answered as their lower-case names).</summary>
public enum RunStatus
{
    Queued,
    Running,
    Completed,
    Failed,
    Canceled,
    Interrupted,
}

/// <summary>What a running run is doing.</summary>
public enum RunPhase
{
    Queued,
    Loading,
    Training,
    Evaluating,
    Saving,
}

/// <summary>What the states and phases mean, for the API and the admin page alike.</summary>
public static class RunStates
{
    /// <summary>States of the run that holds the trainer: at most one run is in one of them.</summary>
    public static readonly IReadOnlyList<RunStatus> Active = [RunStatus.Queued, RunStatus.Running];

    /// <summary>States a run can be resumed from, from its last checkpoint.</summary>
    public static readonly IReadOnlyList<RunStatus> Resumable = [RunStatus.Interrupted, RunStatus.Canceled, RunStatus.Failed];

    public static bool CanResume(RunStatus status) => Resumable.Contains(status);

    /// <summary>A phase in words, as the admin page shows it.</summary>
    public static string Describe(RunPhase phase) => phase switch
    {
        RunPhase.Queued => "Waiting for its turn",
        RunPhase.Loading => "Loading MNIST",
        RunPhase.Evaluating => "Testing on the 10,000 test digits",
        RunPhase.Saving => "Saving the model",
        _ => "Training",
    };
}
