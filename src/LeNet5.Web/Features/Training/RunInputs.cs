using System.Text.Json.Serialization;

namespace LeNet5.Web.Features.Training;

/// <summary>
/// What a run takes beside its <see cref="TrainingSettings"/>, which belong to the engine: the accepted
/// corrections to train on and their weight, the model to start from (fine-tuning), and the ids of
/// the accepted drawings frozen when the run first started, so that a resume trains and tests on the same set.
/// </summary>
public sealed record RunInputs
{
    /// <summary>Train on the accepted drawings, each counted this many times per epoch (1 to <see cref="CorrectionSamples.MaxWeight"/>); null: MNIST only.</summary>
    public int? CorrectionsWeight { get; init; }

    /// <summary>The id of the model to start from; its network is the run's. Null: a fresh initialisation.</summary>
    public string? BaseModel { get; init; }

    /// <summary>The ids of the corrections accepted when the run first started (null until then); their test side is reported by every run.</summary>
    [JsonPropertyName("drawings")] // the name stored runs carry
    public IReadOnlyList<long>? CorrectionIds { get; init; }

    public static readonly RunInputs None = new();

    /// <summary>The request fields that are not engine settings.</summary>
    public static readonly string[] Fields = ["correctionsWeight", "baseModel"];
}

/// <summary>A run's use of the corrections, as the API shows it (its field names are the API's since it was first published).</summary>
public sealed record RunInputsView(
    int? CorrectionsWeight,
    string? BaseModel,
    [property: JsonPropertyName("realTrain")] int? CorrectionsTrain,
    [property: JsonPropertyName("realTest")] int? CorrectionsTest);
