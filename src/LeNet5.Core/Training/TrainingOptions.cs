using System.Globalization;
using System.Text.Json.Serialization;

namespace LeNet5.Core.Training;

/// <summary>
/// The global learning rate epsilon per epoch, as "from-epoch:epsilon" steps. The paper's (appendix C):
/// 0.0005 for passes 1-2, 0.0002 for 3-5, 0.0001 for 6-8, 0.00005 for 9-12, 0.00001 after.
/// </summary>
public sealed class LearningRateSchedule
{
    public const string PaperText = "1:0.0005,3:0.0002,6:0.0001,9:0.00005,13:0.00001";
    public static readonly LearningRateSchedule Paper = Parse(PaperText);

    private readonly (int From, float Epsilon)[] _steps;

    private LearningRateSchedule((int, float)[] steps) => _steps = steps;

    /// <summary>Epsilon for a 1-based epoch.</summary>
    public float At(int epoch) => _steps.Last(s => s.From <= epoch).Epsilon;

    public static LearningRateSchedule Parse(string text)
    {
        var steps = new List<(int, float)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split(':');
            if (kv.Length != 2 || !int.TryParse(kv[0], CultureInfo.InvariantCulture, out int from) || from < 1 ||
                !float.TryParse(kv[1], CultureInfo.InvariantCulture, out float eps) || !(eps > 0) || !float.IsFinite(eps))
                throw new FormatException($"bad schedule step '{part}': expected FROM_EPOCH:EPSILON such as 1:0.0005");
            steps.Add((from, eps));
        }
        if (steps.Count == 0 || steps[0].Item1 != 1)
            throw new FormatException("a schedule must start at epoch 1, e.g. 1:0.0005,3:0.0002");
        for (int i = 1; i < steps.Count; i++)
            if (steps[i].Item1 <= steps[i - 1].Item1) throw new FormatException("schedule steps must be in increasing epoch order");
        return new LearningRateSchedule([.. steps]);
    }

    public override string ToString() =>
        string.Join(',', _steps.Select(s => $"{s.From}:{s.Epsilon.ToString("R", CultureInfo.InvariantCulture)}"));
}

/// <summary>
/// How to train. Defaults: the paper's SDLM and epsilon schedule, the seed's momentum 0.9, batches
/// of 64, and epsilon scaled by 0.3 (see <see cref="LearningRateScale"/>).
/// </summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 64;
    public float Momentum { get; init; } = 0.9f;

    /// <summary>Stochastic diagonal Levenberg-Marquardt, per parameter: eta_k = epsilon / (mu + h_kk).</summary>
    public bool Sdlm { get; init; } = true;
    public float Mu { get; init; } = 0.02f;
    /// <summary>Samples used to re-estimate h_kk before each epoch (the paper's 500).</summary>
    public int SdlmSamples { get; init; } = 500;
    /// <summary>
    /// Training samples between re-estimates of h_kk within an epoch. Frequent re-estimates matter
    /// early on: the network leaves tanh's linear region within the first thousand images, h_kk grows
    /// by orders of magnitude, and rates computed from the initial h_kk would be far too large.
    /// </summary>
    public int SdlmInterval { get; init; } = 1280;

    /// <summary>The global epsilon per epoch.</summary>
    public string Schedule { get; init; } = LearningRateSchedule.PaperText;

    /// <summary>
    /// Multiplies epsilon. The paper took one step per sample; we take one per batch of mean
    /// gradients with momentum 0.9, which multiplies the step about tenfold at steady state. 0.3 is
    /// the largest scale that trains LeNet-5 stably from the paper's initialisation (0.5 diverges);
    /// softmax output trains best at 3, and lenet5-nopool needs mu = 0.1 (see README, "Training").
    /// </summary>
    public float LearningRateScale { get; init; } = 0.3f;

    /// <summary>Random affine distortions of every training image, drawn afresh each epoch.</summary>
    public bool Augment { get; init; }
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Train on the first N training images only (quick runs, tests).</summary>
    public int? TrainLimit { get; init; }

    [JsonIgnore]
    public LearningRateSchedule ParsedSchedule => LearningRateSchedule.Parse(Schedule);

    /// <summary>Every invalid setting, with the name of its field.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        if (Epochs is < 1 or > 1000) errors.Add((nameof(Epochs), "epochs must be between 1 and 1000"));
        if (BatchSize is < 1 or > 60000) errors.Add((nameof(BatchSize), "batchSize must be between 1 and 60000"));
        if (!(Momentum >= 0 && Momentum < 1)) errors.Add((nameof(Momentum), "momentum must be in [0, 1)"));
        if (!(Mu > 0) || !float.IsFinite(Mu)) errors.Add((nameof(Mu), "mu must be positive"));
        if (SdlmSamples is < 1 or > 60000) errors.Add((nameof(SdlmSamples), "sdlmSamples must be between 1 and 60000"));
        if (SdlmInterval < 1) errors.Add((nameof(SdlmInterval), "sdlmInterval must be at least 1 sample"));
        if (!(LearningRateScale > 0) || !float.IsFinite(LearningRateScale)) errors.Add((nameof(LearningRateScale), "learningRateScale must be positive"));
        if (Threads is < 1 or > 256) errors.Add((nameof(Threads), "threads must be between 1 and 256"));
        if (TrainLimit is < 1 or > 60000) errors.Add((nameof(TrainLimit), "trainLimit must be between 1 and 60000"));
        try
        {
            _ = ParsedSchedule;
        }
        catch (FormatException ex)
        {
            errors.Add((nameof(Schedule), ex.Message));
        }
        return errors;
    }
}

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
