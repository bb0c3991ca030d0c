using System.Globalization;
using System.Text.Json;
using LeNet5.Core.Data;
using LeNet5.Core.Layers;
using LeNet5.Core.Models;

namespace LeNet5.Core.Training;

/// <summary>
/// What a trained model says about itself: the settings and every epoch of the run, the MNIST files
/// it was trained on, when, by which command, its test accuracy, and the temperature that calibrates
/// its probabilities.
/// </summary>
public static class ModelCard
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The trainer's model with its metadata. The probabilities are calibrated on test images 0-4,999
    /// of the last evaluation only; 5,000-9,999 stay held out for checking the calibration and the
    /// rejection threshold.
    /// </summary>
    public static LeNet5Model From(Trainer trainer, string command)
    {
        var metadata = new Dictionary<string, string>
        {
            [MetadataKeys.Training] = JsonSerializer.Serialize(trainer.Options, Json),
            [MetadataKeys.Epochs] = JsonSerializer.Serialize(trainer.History, Json),
            [MetadataKeys.MnistSha256] = JsonSerializer.Serialize(MnistFile.All.ToDictionary(f => f.Name, f => f.Sha256)),
            [MetadataKeys.Created] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            [MetadataKeys.Command] = command,
        };
        if (!trainer.Options.Normalisation.IsNone) metadata[MetadataKeys.Preparation] = trainer.Options.Normalisation.ToString();
        var model = new LeNet5Model(trainer.Architecture, (float[])trainer.Parameters.Clone(), metadata);
        if (trainer.LastEvaluation is { } eval)
        {
            model.Metadata[MetadataKeys.TestAccuracy] = eval.Accuracy.ToString("0.0000", CultureInfo.InvariantCulture);
            int half = eval.Count / 2;
            model.Temperature = Evaluator.FitTemperature(trainer.Network.Head, eval.Scores[..(half * OutputHead.Classes)], eval.Labels[..half]);
        }
        if (trainer.LastCorrectionsEvaluation is { } corrections)
        {
            model.Metadata[MetadataKeys.CorrectionsTestAccuracy] = corrections.Accuracy.ToString("0.0000", CultureInfo.InvariantCulture);
            model.Metadata[MetadataKeys.CorrectionsTestCount] = corrections.Count.ToString(CultureInfo.InvariantCulture);
        }
        return model;
    }
}
