using System.Text.Json.Nodes;

namespace LeNet5.Web.Features.Models;

/// <summary>A model as <c>GET /api/models</c> lists it.</summary>
public sealed record ModelSummary(
    string Id,
    string Architecture,
    ModelArchitectureOptions Options,
    double? TestAccuracy,
    long SizeBytes,
    bool Active)
{
    public static ModelSummary From(ModelEntry entry, bool active)
    {
        var arch = entry.Model.Architecture;
        return new ModelSummary(entry.Id, arch.Name,
            new ModelArchitectureOptions(Tokens.Of(arch.Pooling), Tokens.Of(arch.Output), arch.Output == OutputKind.Rbf ? Tokens.Of(arch.Criterion) : null),
            entry.Model.TestAccuracy, entry.FileBytes.Length, active);
    }
}

/// <summary>The options of an architecture: pooling (average, max, subsampling), output (rbf, softmax) and the RBF criterion.</summary>
public sealed record ModelArchitectureOptions(string Pooling, string Output, string? Criterion);

/// <summary>One model in full: <c>GET /api/models/{id}</c>.</summary>
public sealed record ModelDetails(
    string Id,
    string Architecture,
    ModelArchitectureOptions Options,
    double? TestAccuracy,
    long SizeBytes,
    bool Active,
    string Description,
    int ParameterCount,
    float Temperature,
    DateTimeOffset LoadedAt,
    IReadOnlyList<ModelLayer> Layers,
    IReadOnlyDictionary<string, JsonNode?> Metadata)
{
    public static ModelDetails From(ModelEntry entry, bool active)
    {
        var s = ModelSummary.From(entry, active);
        var network = entry.Model.Network;
        return new ModelDetails(s.Id, s.Architecture, s.Options, s.TestAccuracy, s.SizeBytes, s.Active,
            entry.Model.Architecture.ToString(), entry.Model.Parameters.Length, entry.Model.Temperature, entry.LoadedAt,
            [.. network.Layers.Select(l => new ModelLayer(l.Name, l.Kind, l.Output.ToArray()))],
            entry.Model.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => MetadataValue(kv.Value)));
    }

    /// <summary>Metadata values that hold JSON (the training options, the per-epoch log) are answered as JSON.</summary>
    private static JsonNode? MetadataValue(string value)
    {
        var trimmed = value.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] is '{' or '[')
        {
            try
            {
                return JsonNode.Parse(value);
            }
            catch (JsonException)
            {
                // not JSON after all: answered as the string it is
            }
        }
        return JsonValue.Create(value);
    }
}

/// <summary>One layer of a model's network and the shape of its output.</summary>
public sealed record ModelLayer(string Name, string Kind, int[] Shape);
