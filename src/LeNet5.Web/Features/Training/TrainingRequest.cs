using System.Collections.Frozen;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LeNet5.Web.Features.Training;

/// <summary>
/// Reads the body of <c>POST /api/training</c>: a JSON object of <see cref="TrainingSettings"/>, every
/// field optional (the network's recipe fills in the rest), and the <see cref="RunInputs"/> fields
/// (corrections, base model). Unknown fields and wrong types are errors keyed by the field's JSON name;
/// a field is known when its name is a setting's in any case, as System.Text.Json's web defaults bind them
/// (<see cref="TrainingSettingInfo.All"/>), or exactly a run input's (<see cref="RunInputs.Fields"/>).
/// <see cref="Plan"/> then checks them together and gives the run to queue.
/// </summary>
public static class TrainingRequest
{
    /// <summary>Settings are a few hundred bytes; anything much larger is not settings.</summary>
    public const int MaxBodyBytes = 64 * 1024;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.Strict };

    private static readonly FrozenSet<string> SettingNames = TrainingSettingInfo.All.Select(s => s.Name).ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Whether a request may carry a field of this name.</summary>
    public static bool IsKnown(string name) => SettingNames.Contains(name) || RunInputs.Fields.Contains(name);

    /// <summary>The settings and the inputs; an empty body means all defaults.</summary>
    public static (TrainingSettings? Settings, RunInputs Inputs, Dictionary<string, string> Errors) Parse(ReadOnlySpan<byte> body)
    {
        if (body.Trim(" \t\r\n"u8).IsEmpty) return (new TrainingSettings(), RunInputs.None, []);
        try
        {
            // the inputs are the web app's, not the engine's: taken out before the rest is read as settings
            var node = JsonNode.Parse(body);
            if (node is not JsonObject fields) return (null, RunInputs.None, new() { ["body"] = "send a JSON object of settings, or {} for the defaults" });
            var unknown = fields.Select(f => f.Key).Where(name => !IsKnown(name)).ToDictionary(name => name, name => $"'{name}' is not a training setting");
            if (unknown.Count > 0) return (null, RunInputs.None, unknown);
            var inputs = new JsonObject();
            foreach (var name in RunInputs.Fields)
            {
                if (fields.Remove(name, out var value)) inputs[name] = value;
            }
            var settings = fields.Deserialize<TrainingSettings>(Json);
            return settings is null
                ? (null, RunInputs.None, new() { ["body"] = "send a JSON object of settings, or {} for the defaults" })
                : (settings, inputs.Deserialize<RunInputs>(Json) ?? RunInputs.None, []);
        }
        catch (JsonException ex)
        {
            var field = ex.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
            return (null, RunInputs.None, new() { [field] = $"{field} has the wrong type, or the body is not valid JSON ({ex.Message.Split(" Path:")[0]})" });
        }
    }

    /// <summary>
    /// The run these settings (the network's recipe fills in the rest) and inputs ask for, or every invalid
    /// one as a problem. A base model's network is the run's: the settings that say nothing of the network
    /// take the model's, and ones that name another network are an error.
    /// </summary>
    public static RunPlan Plan(TrainingSettings settings, RunInputs inputs, ModelRegistry registry, int threads)
    {
        var inputErrors = new Dictionary<string, string>();
        if (inputs.CorrectionsWeight is < 1 or > CorrectionSamples.MaxWeight)
            inputErrors["correctionsWeight"] = $"correctionsWeight must be between 1 and {CorrectionSamples.MaxWeight} (times each accepted drawing counts per epoch), or left out";
        Architecture? baseArchitecture = null;
        if (inputs.BaseModel is { } baseId)
        {
            if (registry.Get(baseId) is { } entry)
            {
                baseArchitecture = entry.Model.Architecture;
                settings = settings with
                {
                    Architecture = settings.Architecture ?? baseArchitecture.Name,
                    Pooling = settings.Pooling ?? Tokens.Of(baseArchitecture.Pooling),
                    Output = settings.Output ?? Tokens.Of(baseArchitecture.Output),
                    Criterion = settings.Criterion ?? Tokens.Of(baseArchitecture.Criterion),
                    Schedule = settings.Schedule ?? TrainingRecipes.FineTuneSchedule,
                };
            }
            else
            {
                inputErrors["baseModel"] = $"there is no model '{baseId}'; GET /api/models lists them";
            }
        }
        var (architecture, options, errors) = settings.Resolve(threads);
        if (architecture is not null && baseArchitecture is not null && architecture != baseArchitecture)
            inputErrors["baseModel"] = $"'{inputs.BaseModel}' is a {baseArchitecture} network, not {architecture}; leave the network's settings out to fine-tune it";
        if (architecture is null || options is null || inputErrors.Count > 0)
            throw TrainingProblems.InvalidSettings(errors.Concat(inputErrors).ToDictionary());
        return new RunPlan(architecture, options, inputs);
    }
}

/// <summary>A valid run to queue: its network, the options it trains with, and its inputs.</summary>
public sealed record RunPlan(Architecture Architecture, TrainingOptions Options, RunInputs Inputs)
{
    /// <summary>The settings with every field filled in, as the run records and shows them.</summary>
    public TrainingSettings Settings => TrainingSettings.Of(Architecture, Options);
}
