using LeNet5.Core.Data;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Training;

/// <summary>
/// A run that survives being stopped, as <c>lenet5 train</c> and the web app's training both run it:
/// it resumes from its checkpoint or starts a new <see cref="Trainer"/>, saves a checkpoint after every
/// epoch, and at the end its model (with its <see cref="ModelCard"/> metadata) is saved as a model file.
/// </summary>
public static class CheckpointedTraining
{
    /// <summary>
    /// The trainer: continued from the checkpoint at <paramref name="checkpointPath"/> when
    /// <paramref name="resume"/> and it exists (for <paramref name="options"/>' epochs and threads),
    /// else new, from <paramref name="parameters"/> when given (fine-tuning) or a fresh initialisation.
    /// <paramref name="corrections"/> must be the same on a resume as when the run started.
    /// </summary>
    public static Trainer Open(string checkpointPath, bool resume, Architecture architecture, TrainingOptions options, MnistDataset data,
        float[]? parameters = null, CorrectionSamples? corrections = null) =>
        resume && File.Exists(checkpointPath)
            ? Checkpoint.Resume(checkpointPath, data, options.Epochs, options.Threads, corrections)
            : new Trainer(architecture, options, data, parameters, corrections);

    /// <summary>
    /// Trains the remaining epochs; after each one the checkpoint is saved (its folder made if need be, as any model file is), then
    /// <paramref name="epochCompleted"/> hears of it. Cancellation stops after the current batch (it throws).
    /// </summary>
    public static void Run(Trainer trainer, string checkpointPath, string command, Action<EpochMetrics>? epochCompleted, CancellationToken cancellation)
    {
        trainer.EpochCompleted = metrics =>
        {
            Checkpoint.Save(trainer, checkpointPath, command);
            epochCompleted?.Invoke(metrics);
        };
        trainer.Run(cancellation);
    }

    /// <summary>The trained model with its metadata (and <paramref name="metadata"/>'s entries), saved at <paramref name="modelPath"/>.</summary>
    public static LeNet5Model SaveModel(Trainer trainer, string command, string modelPath, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var model = ModelCard.From(trainer, command);
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>()) model.Metadata[key] = value;
        ModelFile.Save(model, modelPath);
        return model;
    }
}
