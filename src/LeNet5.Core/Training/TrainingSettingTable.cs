using System.Globalization;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Training;

/// <summary>
/// The training settings a person can give, each declared here once (see <see cref="TrainingSettingInfo"/>).
/// A new setting is a row here, its nullable property in <see cref="TrainingSettings"/> and its property
/// (with the recipe's default) in <see cref="TrainingOptions"/>; the CLI, the API and the form follow.
/// </summary>
internal static class TrainingSettingTable
{
    public static readonly IReadOnlyList<TrainingSettingInfo> All =
    [
        Choice("architecture", "--arch", "Architecture", "LeNet-5, or the ablations without pooling (about 50x slower).", Architecture.Names),
        Choice("pooling", "--pooling", "Pooling", "lenet5's S2/S4: mean, maximum, or the paper's trainable subsampling.", Architecture.Poolings),
        Choice("output", "--output", "Output", "The paper's RBF prototypes, or a linear layer with softmax.", Architecture.Outputs),
        Choice("criterion", "--criterion", "RBF criterion", "The RBF output's loss: the paper's MAP (eq. 9) or its MSE (eq. 8).", Architecture.Criteria),
        new()
        {
            Name = "epochs", Flag = "--epochs", Label = "Epochs", Kind = SettingKind.Whole, Between = (1, TrainingLimits.MaxEpochs),
            Description = "Passes over the training set; the paper ran 20.",
        },
        new()
        {
            Name = "batchSize", Flag = "--batch", Label = "Batch size", Kind = SettingKind.Whole, Between = (1, TrainingLimits.MaxBatchSize),
            Description = $"Images per SGD step, at most {TrainingLimits.MaxBatchSize}.",
        },
        new()
        {
            Name = "momentum", Flag = "--momentum", Label = "Momentum", Kind = SettingKind.Real, Between = (0, TrainingLimits.MaxMomentum), Step = "0.01",
            Description = $"From 0 to {TrainingLimits.MaxMomentum.ToString(CultureInfo.InvariantCulture)}: how much of the last step carries over.",
        },
        new()
        {
            Name = "learningRateScale", Flag = "--lr-scale", Label = "Learning-rate scale", Kind = SettingKind.Real, Positive = true,
            Description = "Multiplies the schedule's epsilon.",
        },
        new()
        {
            Name = "mu", Flag = "--mu", Label = "SDLM mu", Kind = SettingKind.Real, Positive = true,
            Description = "eta = epsilon / (mu + h): caps the rates while the curvature h is small.",
        },
        new()
        {
            Name = "sdlmSamples", Flag = "--sdlm-samples", Label = "SDLM samples", Kind = SettingKind.Whole, Between = (1, TrainingLimits.MaxImages),
            Description = string.Create(CultureInfo.InvariantCulture,
                $"Images the curvature h is estimated on, every {TrainingOptions.DefaultSdlmInterval:N0} training images."),
        },
        new()
        {
            Name = "schedule", Flag = "--schedule", Label = "Schedule", Kind = SettingKind.Text,
            Description = "Epsilon per epoch as FROM:EPSILON,... (lenet5's is the paper's).",
        },
        new()
        {
            Name = "trainLimit", Flag = "--train-limit", Label = "Training images", Kind = SettingKind.Whole, Between = (1, TrainingLimits.MaxImages),
            Description = "Train on the first N images only, for a quick run.",
            Unset = string.Create(CultureInfo.InvariantCulture, $"all {TrainingLimits.MaxImages:N0}"),
        },
        new()
        {
            Name = "seed", Flag = "--seed", Label = "Seed", Kind = SettingKind.Whole,
            Description = "Same seed and thread count: the same run.",
        },
        new()
        {
            Name = "sdlm", Flag = "--sdlm", Label = "SDLM", Kind = SettingKind.Switch,
            Description = "per-parameter learning rates, epsilon / (mu + h) (paper, appendix C)",
        },
        new()
        {
            Name = "augment", Flag = "--augment", Label = "Augment", Kind = SettingKind.Flag,
            Description = "random affine distortions of the training images, drawn afresh each epoch",
        },
        new()
        {
            Name = "elastic", Flag = "--elastic", Label = "Elastic", Kind = SettingKind.Flag,
            Description = string.Create(CultureInfo.InvariantCulture,
                $"random elastic distortions each epoch (Simard 2003; sigma {ElasticDistortion.Default.Sigma}, alpha {ElasticDistortion.Default.Alpha}), with or without augment"),
        },
        new()
        {
            Name = "strokeWidth", Flag = "--stroke-width", Label = "Stroke width", Kind = SettingKind.Flag,
            Description = "thicker and thinner pens each epoch: each training image dilated or eroded at random (as Morpho-MNIST)",
        },
        new()
        {
            Name = "continental", Flag = "--continental", Label = "Continental 1s and 7s", Kind = SettingKind.Flag,
            Description = "a third of the training 1s given a flag (and often a base), of the 7s a crossbar, drawn afresh each epoch",
        },
        new()
        {
            Name = "deskew", Flag = "--deskew", Label = "Deskew", Kind = SettingKind.Flag,
            Description = "stand every digit upright by its second moments, in training and whenever the model reads",
        },
        new()
        {
            Name = "normaliseStrokes", Flag = "--normalise-strokes", Label = "Normalise strokes", Kind = SettingKind.Flag,
            Description = "thin every digit to its skeleton and redraw it at MNIST's pen width, in training and whenever the model reads",
        },
    ];

    public static readonly IReadOnlyList<TrainingSettingInfo> Options = [.. All.Where(s => s.IsOption)];

    private static TrainingSettingInfo Choice(string name, string flag, string label, string description, IReadOnlyList<string> words) =>
        new() { Name = name, Flag = flag, Label = label, Description = description, Kind = SettingKind.Choice, Choices = words };
}
