using System.Globalization;
using System.Text.Json;
using LeNet5.Core.Data;
using LeNet5.Core.Models;

namespace LeNet5.Core.Training;

/// <summary>
/// A run saved between epochs: the model file of <see cref="ModelCard"/> plus the momentum
/// (<c>optimizer.velocity</c>) and the number of epochs done, so that <see cref="Resume"/> continues
/// exactly where the run stopped.
/// </summary>
public static class Checkpoint
{
    private const string VelocityTensor = "optimizer.velocity";

    public static void Save(Trainer trainer, string path, string command)
    {
        var model = ModelCard.From(trainer, command);
        model.Metadata[MetadataKeys.CheckpointEpoch] = trainer.CompletedEpochs.ToString(CultureInfo.InvariantCulture);
        ModelFile.Save(model, path, [new NamedTensor(VelocityTensor, [trainer.Velocity.Length], trainer.Velocity)]);
    }

    /// <summary>Continues a run from a checkpoint; <paramref name="epochs"/> may extend it; <paramref name="samples"/> must be the corrections the run started with.</summary>
    public static Trainer Resume(string path, MnistDataset data, int? epochs = null, int? threads = null, CorrectionSamples? samples = null)
    {
        var model = ModelFile.Read(File.ReadAllBytes(path), path, out var extra);
        if (!extra.TryGetValue(VelocityTensor, out var velocity) || velocity.Data.Length != model.Parameters.Length)
            throw new ModelFormatException($"{path}: not a checkpoint (no optimizer state).");
        string Meta(string key) => model.Metadata.TryGetValue(key, out var v) ? v
            : throw new ModelFormatException($"{path}: not a checkpoint (no '{key}' in its metadata).");
        TrainingOptions options;
        try
        {
            options = JsonSerializer.Deserialize<TrainingOptions>(Meta(MetadataKeys.Training), ModelCard.Json)
                ?? throw new ModelFormatException($"{path}: unreadable training settings.");
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"{path}: unreadable training settings ({ex.Message}).", ex);
        }
        options = options with { Epochs = epochs ?? options.Epochs, Threads = threads ?? options.Threads };
        var trainer = new Trainer(model.Architecture, options, data, model.Parameters, samples);
        velocity.Data.CopyTo(trainer.Velocity, 0);
        trainer.History.AddRange(JsonSerializer.Deserialize<List<EpochMetrics>>(Meta(MetadataKeys.Epochs), ModelCard.Json) ?? []);
        trainer.CompletedEpochs = int.TryParse(Meta(MetadataKeys.CheckpointEpoch), CultureInfo.InvariantCulture, out int done) && done >= 0
            ? done
            : throw new ModelFormatException($"{path}: bad checkpoint epoch.");
        return trainer;
    }
}
