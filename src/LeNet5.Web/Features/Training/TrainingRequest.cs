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
}
