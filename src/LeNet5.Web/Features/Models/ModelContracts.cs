using System.ComponentModel;
using LeNet5.Core.Layers;
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

/// <summary><c>GET /api/models/{id}/parameters</c>: the weights of the layers that have any, as the server computes with them.</summary>
public sealed record ModelParameters(
    [property: Description("The model's id.")] string Model,
    [property: Description("The model's architecture string.")] string Architecture,
    [property: Description("The layers with parameters, in order.")] IReadOnlyList<LayerParameters> Layers,
    [property: Description("The layers listed without their values (null): they did not fit in one answer (Models:MaxParameterValues). " +
                           "Ask for them alone with ?layers=, or read them from the model file (GET /api/models/{id}/file).")]
    IReadOnlyList<string> Omitted)
{
    /// <summary>
    /// The layers named in <paramref name="only"/> (all when null), in order, each with its values when
    /// they fit in what is left of <paramref name="maxValues"/>, else without them (and named in Omitted).
    /// </summary>
    public static ModelParameters From(ModelEntry entry, IReadOnlySet<string>? only, int maxValues)
    {
        var network = entry.Model.Network;
        var layers = new List<LayerParameters>();
        var omitted = new List<string>();
        long left = maxValues;
        for (int l = 0; l < network.Layers.Count; l++)
        {
            var layer = network.Layers[l];
            if (layer.ParameterCount == 0 || (only is not null && !only.Contains(layer.Name))) continue;
            bool fits = layer.ParameterCount <= left;
            if (fits) left -= layer.ParameterCount;
            else omitted.Add(layer.Name);
            var slice = network.LayerSlice((ReadOnlySpan<float>)entry.Model.Parameters, l);
            var tensors = new List<TensorValues>();
            int offset = 0;
            foreach (var t in layer.Parameters)
            {
                tensors.Add(new TensorValues(t.Name, t.Shape, fits ? slice.Slice(offset, t.Size).ToArray() : null));
                offset += t.Size;
            }
            var table = layer is Convolution { IsSparse: true } conv ? conv.Table.Select(r => r.ToArray()).ToArray() : null;
            layers.Add(new LayerParameters(layer.Name, layer.Kind, layer.Input.ToArray(), layer.Output.ToArray(), tensors, table));
        }
        return new ModelParameters(entry.Id, entry.Model.Architecture.ToString(), layers, omitted);
    }

    /// <summary>The names of the layers that have parameters.</summary>
    public static IEnumerable<string> LayersWithParameters(ModelEntry entry) =>
        entry.Model.Network.Layers.Where(l => l.ParameterCount > 0).Select(l => l.Name);
}

/// <summary>One layer's parameter tensors.</summary>
public sealed record LayerParameters(
    [property: Description("The layer's name, as in the details of /api/predict (c1, s2, c3, ...).")] string Name,
    [property: Description("conv, fc or subsample.")] string Kind,
    [property: Description("The shape of one sample's input.")] int[] InputShape,
    [property: Description("The shape of one sample's output.")] int[] OutputShape,
    [property: Description("Its tensors in model-file order: a convolution's weight (one 5x5 kernel per connection, in table order) then bias; a subsampling layer's coefficient then bias.")]
    IReadOnlyList<TensorValues> Tensors,
    [property: Description("For a sparse convolution (C3, the paper's Table I): the input maps each output map sees, in kernel order.")]
    int[][]? Table);

/// <summary>One tensor's values, row-major.</summary>
public sealed record TensorValues(
    string Name,
    int[] Shape,
    [property: Description("Row-major; null when the layer is omitted from this answer (see 'omitted').")] float[]? Values);
