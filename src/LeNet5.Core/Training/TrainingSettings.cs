using LeNet5.Core.Layers;
using System.Text.Json;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Training;

/// <summary>
/// A run's settings as a person gives them, on the command line or to the admin API: any subset, in
/// the words they use ("lenet5-nopool", "softmax"); everything left out comes from the network's
/// recipe (<see cref="TrainingRecipes"/>). <see cref="Of"/> gives the settings with every field
/// filled, which is what a run records and shows. Each property is a row of <see cref="TrainingSettingInfo.All"/>,
/// which says its flag, range and description, and copies it to and from <see cref="TrainingOptions"/>.
/// </summary>
public sealed record TrainingSettings
{
    public string? Architecture { get; init; }
    public string? Output { get; init; }
    public string? Pooling { get; init; }
    public string? Criterion { get; init; }
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public float? Momentum { get; init; }
    public bool? Sdlm { get; init; }
    public float? Mu { get; init; }
    public int? SdlmSamples { get; init; }
    public string? Schedule { get; init; }
    public float? LearningRateScale { get; init; }
    public bool? Augment { get; init; }
    public bool? Elastic { get; init; }
    public bool? StrokeWidth { get; init; }
    public bool? Continental { get; init; }
    public bool? Deskew { get; init; }
    public bool? NormaliseStrokes { get; init; }
    public int? TrainLimit { get; init; }
    public int? Seed { get; init; }

    /// <summary>
    /// The network and the options to train it with on <paramref name="threads"/> threads, or every
    /// invalid setting keyed by its field's name as the API spells it ("batchSize").
    /// </summary>
    public (Networks.Architecture? Architecture, TrainingOptions? Options, IReadOnlyDictionary<string, string> Errors) Resolve(int threads)
    {
        var errors = new Dictionary<string, string>();
        T Word<T>(string field, string? value, T fallback) where T : struct, Enum
        {
            if (value is null) return fallback;
            try
            {
                return Tokens.Parse<T>(value);
            }
            catch (FormatException ex)
            {
                errors[field] = $"{field}: {ex.Message}";
                return fallback;
            }
        }

        var name = Architecture ?? Networks.Architecture.LeNet5;
        if (!Networks.Architecture.Names.Contains(name))
            errors["architecture"] = $"architecture must be one of {string.Join(", ", Networks.Architecture.Names)}";
        var plain = new Networks.Architecture(name);
        var architecture = plain with
        {
            Pooling = Word("pooling", Pooling, plain.Pooling),
            Output = Word("output", Output, plain.Output),
            Criterion = Word("criterion", Criterion, plain.Criterion),
        };
        var recipe = TrainingRecipes.For(architecture);
        var options = recipe with { Threads = threads };
        foreach (var setting in TrainingSettingInfo.Options)
        {
            if (setting.ValueIn(this) is { } given) setting.Fill(options, given);
        }
        foreach (var (field, message) in options.Validate()) errors.TryAdd(JsonNamingPolicy.CamelCase.ConvertName(field), message);
        return errors.Count == 0 ? (architecture, options, errors) : (null, null, errors);
    }

    /// <summary>The settings with every field filled in.</summary>
    public static TrainingSettings Of(Networks.Architecture architecture, TrainingOptions options) =>
        TrainingSettingInfo.Options.Aggregate(
            new TrainingSettings
            {
                Architecture = architecture.Name,
                Output = Tokens.Of(architecture.Output),
                Pooling = Tokens.Of(architecture.Pooling),
                Criterion = Tokens.Of(architecture.Criterion),
            },
            (settings, setting) => setting.With(settings, setting.ValueIn(options)));

    /// <summary>The network's recipe as complete settings.</summary>
    public static TrainingSettings RecipeOf(Networks.Architecture architecture) => Of(architecture, TrainingRecipes.For(architecture));

    /// <summary>Every network's recipe, as complete settings: each architecture with each output, and lenet5 with each pooling.</summary>
    public static IReadOnlyList<TrainingSettings> Recipes() =>
    [
        .. from name in Networks.Architecture.Names
           from output in Enum.GetValues<OutputKind>()
           from pooling in Networks.Architecture.PoolingsOf(name)
           select RecipeOf(new Networks.Architecture(name, Pooling: Tokens.Parse<PoolingKind>(pooling), Output: output)),
    ];
}
