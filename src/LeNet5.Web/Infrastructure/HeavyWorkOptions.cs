namespace LeNet5.Web.Infrastructure;

/// <summary>
/// The cap on heavy work in flight (section <c>HeavyWork</c>): explanations, nudges, batches, large
/// images, and computing a model's dreams, parameters or ONNX file. Plain predictions never wait for it.
/// </summary>
public sealed class HeavyWorkOptions
{
    public const string Section = "HeavyWork";

    /// <summary>
    /// How many heavy requests may compute at once; 0 (the default) means half the processors, at
    /// least one. Each keeps a core busy, so what is left of the cores answers plain predictions
    /// however many heavy requests arrive.
    /// </summary>
    [Range(0, 1024)]
    public int MaxConcurrent { get; set; }

    /// <summary>How many heavy requests may wait for a turn beyond those computing (oldest first); one more is answered 503 with Retry-After at once.</summary>
    [Range(0, 10_000)]
    public int QueueLimit { get; set; } = 64;

    /// <summary>The longest a heavy request waits for a turn, in seconds, before it is answered 503 with Retry-After.</summary>
    [Range(1, 600)]
    public int QueueSeconds { get; set; } = 10;

    /// <summary>
    /// The Linux nice value heavy work computes at (0-19): above 0 its threads yield the CPU to plain
    /// predictions whenever both want it. 0 runs it at the process's own priority.
    /// </summary>
    [Range(0, 19)]
    public int Nice { get; set; } = 10;

    /// <summary><see cref="MaxConcurrent"/>, with 0 resolved for this machine.</summary>
    public int ResolveMaxConcurrent() => MaxConcurrent > 0 ? MaxConcurrent : Math.Max(1, Environment.ProcessorCount / 2);
}
