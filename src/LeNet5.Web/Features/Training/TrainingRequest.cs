using System.Text.Json;
using System.Text.Json.Serialization;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;
using CoreTrainingOptions = LeNet5.Core.Training.TrainingOptions;

namespace LeNet5.Web.Features.Training;

/// <summary>
/// The body of <c>POST /api/training</c>: every field optional. Defaults: LeNet-5 with average
/// pooling and the RBF output, the engine's tuned run (20 epochs, batches of 64, momentum 0.9, SDLM,
/// the paper's epsilon schedule) and a learning-rate scale that suits the network (0.3 for RBF, 3 for
/// softmax; lenet5-nopool also gets mu = 0.1).
/// </summary>
public sealed record TrainingRequest
{
    /// <summary>The largest batch the web API trains with (the engine itself allows 60,000).</summary>
    public const int MaxBatchSize = 1024;

    public string? Architecture { get; init; }
    public string? Output { get; init; }
    public string? Pooling { get; init; }
    public string? Criterion { get; init; }
    public int? Epochs { get; init; }
    public int? BatchSize { get; init; }
    public float? Momentum { get; init; }
    public bool? Sdlm { get; init; }
    public bool? Augment { get; init; }
    public int? TrainLimit { get; init; }
    public int? Seed { get; init; }
    public float? LearningRateScale { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Reads the body; an empty body means all defaults. Errors are keyed by the JSON field name.</summary>
    public static (TrainingRequest? Request, Dictionary<string, string[]> Errors) Parse(ReadOnlySpan<byte> body)
    {
        if (body.Trim(" \t\r\n"u8).IsEmpty) return (new TrainingRequest(), []);
        try
        {
            var request = JsonSerializer.Deserialize<TrainingRequest>(body, Json);
            return request is null
                ? (null, new() { ["body"] = ["send a JSON object of settings, or {} for the defaults"] })
                : (request, []);
        }
        catch (JsonException ex)
        {
            // an unknown member's path is its object's; the message names the member
            if (ex.Message.Contains("could not be mapped", StringComparison.Ordinal) && UnknownMember(ex.Message) is { } unknown)
                return (null, new() { [unknown] = [$"'{unknown}' is not a training setting"] });
            var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            return (null, new() { [field] = [$"{field} has the wrong type, or the body is not valid JSON ({ex.Message.Split(" Path:")[0]})"] });
        }
    }

    private static string? UnknownMember(string message)
    {
        int start = message.IndexOf('\'', StringComparison.Ordinal), end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
        return end > start ? message[(start + 1)..end] : null;
    }

    /// <summary>The architecture and options to train, or every invalid setting keyed by its JSON name.</summary>
    public (Architecture? Architecture, CoreTrainingOptions? Options, Dictionary<string, string[]> Errors) Resolve(int threads)
    {
        var errors = new Dictionary<string, string[]>();
        T Enum<T>(string field, string? value, T fallback) where T : struct, System.Enum
        {
            if (value is null) return fallback;
            try
            {
                return Core.Networks.Tokens.Parse<T>(value);
            }
            catch (FormatException ex)
            {
                errors[field] = [$"{field}: {ex.Message}"];
                return fallback;
            }
        }

        var name = Architecture ?? Core.Networks.Architecture.LeNet5;
        if (!Core.Networks.Architecture.Names.Contains(name))
            errors["architecture"] = [$"architecture must be one of {string.Join(", ", Core.Networks.Architecture.Names)}"];
        var architecture = new Architecture(name,
            Enum("pooling", Pooling, PoolingKind.Average),
            Enum("output", Output, OutputKind.Rbf),
            Enum("criterion", Criterion, RbfCriterion.Map));

        var options = new CoreTrainingOptions
        {
            Epochs = Epochs ?? 20,
            BatchSize = BatchSize ?? 64,
            Momentum = Momentum ?? 0.9f,
            Sdlm = Sdlm ?? true,
            Augment = Augment ?? false,
            TrainLimit = TrainLimit,
            Seed = Seed ?? 1,
            LearningRateScale = LearningRateScale ?? DefaultLearningRateScale(architecture),
            // lenet5-nopool trains stably only with SDLM's rates capped lower while curvature is still tiny
            Mu = architecture.Name == Core.Networks.Architecture.NoPool ? 0.1f : new CoreTrainingOptions().Mu,
            Threads = threads,
        };
        foreach (var (field, message) in options.Validate())
        {
            errors[JsonNamingPolicy.CamelCase.ConvertName(field)] = [message];
        }
        // the engine allows batches up to 60,000; the web API keeps its buffers small
        if (options.BatchSize > MaxBatchSize && !errors.ContainsKey("batchSize"))
            errors["batchSize"] = [$"batchSize must be between 1 and {MaxBatchSize}"];
        return errors.Count == 0 ? (architecture, options, errors) : (null, null, errors);
    }

    /// <summary>The settings with every field filled in, as a run stores and shows them.</summary>
    public static TrainingRequest From(Architecture architecture, CoreTrainingOptions options) => new()
    {
        Architecture = architecture.Name,
        Pooling = architecture.Pooling.ToString().ToLowerInvariant(),
        Output = architecture.Output.ToString().ToLowerInvariant(),
        Criterion = architecture.Criterion.ToString().ToLowerInvariant(),
        Epochs = options.Epochs,
        BatchSize = options.BatchSize,
        Momentum = options.Momentum,
        Sdlm = options.Sdlm,
        Augment = options.Augment,
        TrainLimit = options.TrainLimit,
        Seed = options.Seed,
        LearningRateScale = options.LearningRateScale,
    };

    /// <summary>The epsilon scale that trains each network stably (see the engine's TrainingOptions).</summary>
    public static float DefaultLearningRateScale(Architecture architecture) =>
        architecture.Output == OutputKind.Softmax ? 3f
        : 0.3f;
}
