using LeNet5.Core.Layers;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Training;

/// <summary>
/// The settings each network trains with unless told otherwise. The CLI's defaults, the admin API's
/// and the admin form's all come from here. Why each differs from the paper: docs/training.md; what
/// each reaches, and the neighbouring settings that were tried: docs/results.md.
/// </summary>
public static class TrainingRecipes
{
    /// <summary>
    /// The ablations' schedule: the paper's first steps, held longer. Their 48,000-input layer learns
    /// slowly at the damped rates (see <see cref="SdlmRates.CorrelatedFanIn"/>), and 0.00005 from
    /// epoch 9 stops it short of its accuracy.
    /// </summary>
    public const string AblationSchedule = "1:0.0005,6:0.0002,10:0.0001";

    /// <summary>
    /// The ablations' epochs: the schedule's first two steps and one epoch at its third. Their test
    /// error moves only within the noise of 10,000 test images after that, and ten keep each run
    /// under ten minutes on two cores (see docs/results.md).
    /// </summary>
    public const int AblationEpochs = 10;

    /// <summary>
    /// The images the ablations estimate SDLM's curvature on, every
    /// <see cref="TrainingOptions.DefaultSdlmInterval"/> training images. On 500 (the paper's number)
    /// the curvature pass of their 4-6 million parameters is about a quarter of an epoch; 128 still
    /// tracks h_kk as it grows, where re-estimating less often lets the rates go stale.
    /// </summary>
    public const int AblationSdlmSamples = 128;

    /// <summary>
    /// The schedule of a run that starts from a trained model (fine-tuning) and names none: a trained
    /// network needs small steps, and the recipe's first rate (0.0005) takes it most of the way back
    /// to an untrained one within a batch.
    /// </summary>
    public const string FineTuneSchedule = "1:0.00005";

    /// <summary>The softmax output's learning-rate scale.</summary>
    public const float SoftmaxLearningRateScale = 2f;

    /// <summary>The paper's network (trainable subsampling): its batch size and learning-rate scale.</summary>
    public const int SubsamplingBatchSize = 32;
    public const float SubsamplingLearningRateScale = 0.2f;

    public static TrainingOptions For(Architecture architecture)
    {
        // lenet5 with the RBF output: the defaults of TrainingOptions
        var options = new TrainingOptions();
        // softmax's gradients are about ten times smaller than the RBF's: it needs a larger scale, but
        // without distortions it overfits at 3 and more (see docs/results.md)
        if (architecture.Output == OutputKind.Softmax) options = options with { LearningRateScale = SoftmaxLearningRateScale };
        // the paper's trainable subsampling sits near the edge of stability: smaller batches at a
        // smaller scale train it better than the defaults (see docs/results.md)
        if (architecture.Pooling == PoolingKind.Subsampling)
            options = options with { BatchSize = SubsamplingBatchSize, LearningRateScale = SubsamplingLearningRateScale };
        if (architecture.Name == Architecture.LeNet5) return options;
        var ablation = options with { Epochs = AblationEpochs, Schedule = AblationSchedule, SdlmSamples = AblationSdlmSamples };
        // with mu = 0.02 the rates while h_kk is still near zero kill lenet5-nopool within its first epoch (docs/training.md)
        return architecture.Name == Architecture.NoPool ? ablation with { Mu = 0.1f } : ablation;
    }
}
