using System.Collections.Concurrent;
using System.Globalization;
using LeNet5.Core.Data;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Models;

/// <summary>One layer's output for one image, for drawing.</summary>
public sealed record LayerActivation(string Name, string Kind, int[] Shape, float[] Values);

/// <summary>What the network says about one image.</summary>
public sealed record Prediction(int Digit, float Confidence, float[] Probabilities, float[] Scores, IReadOnlyList<LayerActivation>? Layers)
{
    /// <summary>For RBF models the scores are the distances to the ten prototypes.</summary>
    public bool ScoresAreDistances { get; init; }
}

/// <summary>
/// A trained network: its architecture, its parameters and the metadata of the run that made it.
/// Safe to use from many threads at once: each prediction borrows a workspace from a pool.
/// </summary>
public sealed class LeNet5Model
{
    public const string FormatVersion = "lenet5web/1";
    private readonly ConcurrentBag<Workspace> _workspaces = [];

    public LeNet5Model(Architecture architecture, float[] parameters, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Architecture = architecture;
        Network = architecture.Build();
        if (parameters.Length != Network.ParameterCount)
            throw new ArgumentException($"{parameters.Length} parameters given, {architecture.Name} has {Network.ParameterCount}");
        Parameters = parameters;
        Metadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>());
        Temperature = Metadata.TryGetValue(MetadataKeys.Temperature, out var t) && float.TryParse(t, CultureInfo.InvariantCulture, out var tv) && tv > 0 ? tv : 1f;
    }

    public Architecture Architecture { get; }
    public Networks.Network Network { get; }
    public float[] Parameters { get; }
    public Dictionary<string, string> Metadata { get; }

    /// <summary>Softmax temperature that calibrates the probabilities (fitted after training).</summary>
    public float Temperature { get; set; }

    public double? TestAccuracy =>
        Metadata.TryGetValue(MetadataKeys.TestAccuracy, out var a) && double.TryParse(a, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>Runs one 32x32 encoded input (see <see cref="InputEncoding"/>) through the network on the calling thread.</summary>
    public Prediction Predict(ReadOnlySpan<float> input32, bool includeActivations = false)
    {
        if (input32.Length != InputEncoding.Size) throw new ArgumentException($"expected {InputEncoding.Size} inputs", nameof(input32));
        if (!_workspaces.TryTake(out var ws)) ws = Network.CreateWorkspace(1);
        try
        {
            input32.CopyTo(ws.Input);
            Network.Forward(ws, Parameters, 1);
            var scores = ws.Scores.AsSpan(0, OutputHead.Classes).ToArray();
            var probabilities = new float[OutputHead.Classes];
            Network.Head.Probabilities(scores, Temperature, probabilities);
            int digit = Network.Head.Predict(scores);
            List<LayerActivation>? layers = null;
            if (includeActivations)
            {
                layers = [new LayerActivation("input", "input", Architecture.InputShape.ToArray(), ws.Activation(0, 1).ToArray())];
                for (int l = 0; l < Network.Layers.Count; l++)
                {
                    var layer = Network.Layers[l];
                    layers.Add(new LayerActivation(layer.Name, layer.Kind, layer.Output.ToArray(), ws.Activation(l + 1, 1).ToArray()));
                }
            }
            return new Prediction(digit, probabilities[digit], probabilities, scores, layers)
            {
                ScoresAreDistances = Network.Head is RbfHead,
            };
        }
        finally
        {
            _workspaces.Add(ws);
        }
    }

    /// <summary>Predicts a 28x28 MNIST-style digit (0 background, 255 ink).</summary>
    public Prediction Predict(ReadOnlySpan<byte> digit28, bool includeActivations = false)
    {
        Span<float> input = stackalloc float[InputEncoding.Size];
        InputEncoding.Encode(digit28, input);
        return Predict(input, includeActivations);
    }

    // ---- files ----

    public byte[] ToBytes(IEnumerable<NamedTensor>? extra = null)
    {
        var tensors = Network.Tensors()
            .Select(t => new NamedTensor(t.Name, t.Shape, Parameters.AsSpan(t.Offset, t.Shape.Aggregate(1, (a, b) => a * b)).ToArray()))
            .ToList();
        if (Network.Head is RbfHead rbf)
            tensors.Add(new NamedTensor("rbf.prototypes", [OutputHead.Classes, Bitmaps.Height, Bitmaps.Width], rbf.Prototypes.ToArray()));
        if (extra is not null) tensors.AddRange(extra);
        var meta = new Dictionary<string, string>(Metadata)
        {
            [MetadataKeys.Format] = FormatVersion,
            [MetadataKeys.Architecture] = Architecture.ToString(),
            [MetadataKeys.Temperature] = Temperature.ToString("R", CultureInfo.InvariantCulture),
        };
        return SafeTensors.Serialize(tensors, meta);
    }

    /// <summary>Saves atomically (temporary file, flush, rename).</summary>
    public void Save(string path, IEnumerable<NamedTensor>? extra = null) => SafeTensors.WriteAtomic(path, ToBytes(extra));

    public static LeNet5Model Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelFormatException($"{path}: cannot be read ({ex.Message}).", ex);
        }
        return FromBytes(bytes, path, out _);
    }

    /// <summary>Reads a model file, checking every tensor's shape against the architecture it names.</summary>
    public static LeNet5Model FromBytes(ReadOnlySpan<byte> bytes, string source, out Dictionary<string, NamedTensor> extraTensors)
    {
        var (tensors, metadata) = SafeTensors.Deserialize(bytes, source);
        if (!metadata.TryGetValue(MetadataKeys.Architecture, out var archText))
            throw new ModelFormatException($"{source}: no '{MetadataKeys.Architecture}' in the metadata; not a LeNet5Web model.");
        Architecture arch;
        try
        {
            arch = Architecture.Parse(archText);
        }
        catch (FormatException ex)
        {
            throw new ModelFormatException($"{source}: {ex.Message}", ex);
        }
        var network = arch.Build();
        var parameters = new float[network.ParameterCount];
        foreach (var (name, shape, offset, _) in network.Tensors())
        {
            if (!tensors.Remove(name, out var t))
                throw new ModelFormatException($"{source}: tensor {name} is missing for {arch.Name}.");
            if (!t.Shape.SequenceEqual(shape))
                throw new ModelFormatException($"{source}: tensor {name} has shape [{string.Join(',', t.Shape)}], {arch.Name} needs [{string.Join(',', shape)}].");
            if (t.Data.Any(v => !float.IsFinite(v)))
                throw new ModelFormatException($"{source}: tensor {name} holds NaN or infinite values.");
            t.Data.CopyTo(parameters, offset);
        }
        if (network.Head is RbfHead rbf && tensors.Remove("rbf.prototypes", out var protos) && !protos.Data.AsSpan().SequenceEqual(rbf.Prototypes))
            throw new ModelFormatException($"{source}: its RBF prototypes differ from this engine's bitmaps.");
        extraTensors = tensors;
        return new LeNet5Model(arch, parameters, metadata);
    }
}

/// <summary>The keys of a model file's string metadata.</summary>
public static class MetadataKeys
{
    public const string Format = "format";
    public const string Architecture = "architecture";
    public const string Training = "training";
    public const string Epochs = "epochs";
    public const string TestAccuracy = "test_accuracy";
    public const string MnistSha256 = "mnist_sha256";
    public const string Created = "created";
    public const string Command = "command";
    public const string Temperature = "temperature";
    public const string RejectThreshold = "reject_threshold";
    public const string CheckpointEpoch = "checkpoint_epoch";
}
