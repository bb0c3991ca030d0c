using System.Text.Json.Serialization;

namespace LeNet5.Core.Training;

/// <summary>
/// How to train. The defaults are <c>lenet5</c>'s recipe (the paper's SDLM and epsilon schedule, the
/// seed's momentum 0.9, batches of 64, epsilon scaled by 0.3); <see cref="TrainingRecipes"/> says how
/// the other networks differ.
/// </summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 20;
    public int BatchSize { get; init; } = 64;
    public float Momentum { get; init; } = 0.9f;

    /// <summary>Stochastic diagonal Levenberg-Marquardt, per parameter: eta_k = epsilon / (mu + h_kk).</summary>
    public bool Sdlm { get; init; } = true;
    public float Mu { get; init; } = 0.02f;
    /// <summary>Samples used to re-estimate h_kk before each epoch and every <see cref="SdlmInterval"/> training samples (the paper's 500).</summary>
    public int SdlmSamples { get; init; } = 500;
    /// <summary>
    /// Training samples between re-estimates of h_kk within an epoch. Frequent re-estimates matter
    /// early on: the network leaves tanh's linear region within the first thousand images, h_kk grows
    /// by orders of magnitude, and rates computed from the initial h_kk would be far too large.
    /// </summary>
    public int SdlmInterval { get; init; } = DefaultSdlmInterval;

    public const int DefaultSdlmInterval = 1280;

    /// <summary>The global epsilon per epoch.</summary>
    public string Schedule { get; init; } = LearningRateSchedule.PaperText;

    /// <summary>
    /// Multiplies epsilon. The paper took one step per sample; we take one per batch of mean
    /// gradients with momentum 0.9, which multiplies the step about tenfold at steady state. 0.3 is
    /// the largest scale that trains LeNet-5 stably from the paper's initialisation (0.5 diverges).
    /// </summary>
    public float LearningRateScale { get; init; } = 0.3f;

    /// <summary>Random affine distortions of every training image, drawn afresh each epoch.</summary>
    public bool Augment { get; init; }

    /// <summary>Elastic distortions of every training image (<see cref="ElasticDistortion"/>), drawn afresh each epoch; combine with <see cref="Augment"/>.</summary>
    public bool Elastic { get; init; }

    /// <summary>Thicker and thinner strokes (<see cref="StrokeMorphology"/>): each image's pen drawn afresh each epoch.</summary>
    public bool StrokeWidth { get; init; }

    /// <summary>Continental 1s and 7s (<see cref="ContinentalStrokes"/>): flags and bases on some training 1s, crossbars on some 7s, drawn afresh each epoch.</summary>
    public bool Continental { get; init; }

    /// <summary>Stand every digit upright (<see cref="Preparation.Deskew"/>), in training and in every reading of the model.</summary>
    public bool Deskew { get; init; }

    /// <summary>Redraw every digit's strokes at MNIST's width (<see cref="Preparation.StrokeNormalisation"/>), in training and in every reading of the model.</summary>
    public bool NormaliseStrokes { get; init; }

    /// <summary>What the model trained with these options does to every digit before reading it.</summary>
    [JsonIgnore]
    public Preparation.DigitNormalisation Normalisation => new(Deskew, NormaliseStrokes);
    public int Seed { get; init; } = 1;
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Train on the first N training images only (quick runs, tests).</summary>
    public int? TrainLimit { get; init; }

    [JsonIgnore]
    public LearningRateSchedule ParsedSchedule => LearningRateSchedule.Parse(Schedule);

    /// <summary>Every invalid setting, with the name of its field: the ranges of <see cref="TrainingSettingInfo.All"/>, the schedule's form, and the engine's own.</summary>
    public IReadOnlyList<(string Field, string Message)> Validate()
    {
        var errors = new List<(string, string)>();
        foreach (var setting in TrainingSettingInfo.Options)
        {
            if (setting.Check(setting.ValueIn(this)) is { } message) errors.Add((setting.Property, message));
        }
        if (SdlmInterval < 1) errors.Add((nameof(SdlmInterval), "sdlmInterval must be at least 1 sample"));
        if (Threads is < 1 or > TrainingLimits.MaxThreads) errors.Add((nameof(Threads), $"threads must be between 1 and {TrainingLimits.MaxThreads}"));
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

/// <summary>The bounds of the ranges every face accepts (<see cref="TrainingSettingInfo.Between"/>): the CLI, the admin API and the admin form's fields.</summary>
public static class TrainingLimits
{
    public const int MaxEpochs = 1000;

    /// <summary>The largest batch: the workers' buffers grow with it, and larger batches train no better.</summary>
    public const int MaxBatchSize = 1024;

    public const float MaxMomentum = 0.999f;

    /// <summary>MNIST's training images.</summary>
    public const int MaxImages = 60000;

    public const int MaxThreads = 256;
}
