using System.Globalization;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Models;

/// <summary>
/// The model file: one safetensors file holding every parameter tensor under its layer's name
/// ("c1.weight"), the RBF prototypes, and string metadata (<see cref="MetadataKeys"/>). Reading checks
/// every shape against the architecture the metadata names; writing is atomic.
/// </summary>
public static class ModelFile
{
    public const string FormatVersion = "lenet5web/1";

    public static byte[] Serialize(LeNet5Model model, IEnumerable<NamedTensor>? extra = null)
    {
        var network = model.Network;
        var tensors = network.Tensors()
            .Select(t => new NamedTensor(t.Name, t.Shape, model.Parameters.AsSpan(t.Offset, t.Shape.Aggregate(1, (a, b) => a * b)).ToArray()))
            .ToList();
        if (network.Head is RbfHead rbf)
            tensors.Add(new NamedTensor("rbf.prototypes", [OutputHead.Classes, Bitmaps.Height, Bitmaps.Width], rbf.Prototypes.ToArray()));
        if (extra is not null) tensors.AddRange(extra);
        var meta = new Dictionary<string, string>(model.Metadata)
        {
            [MetadataKeys.Format] = FormatVersion,
            [MetadataKeys.Architecture] = model.Architecture.ToString(),
            [MetadataKeys.Temperature] = model.Temperature.ToString("R", CultureInfo.InvariantCulture),
        };
        return SafeTensors.Serialize(tensors, meta);
    }

    /// <summary>Saves atomically (temporary file, flush, rename).</summary>
    public static void Save(LeNet5Model model, string path, IEnumerable<NamedTensor>? extra = null) => SafeTensors.WriteAtomic(path, Serialize(model, extra));

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
        return Read(bytes, path, out _);
    }

    /// <summary>Reads a model file, checking every tensor's shape against the architecture it names.</summary>
    public static LeNet5Model Read(ReadOnlySpan<byte> bytes, string source, out Dictionary<string, NamedTensor> extraTensors)
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
        try
        {
            Preparation.DigitNormalisation.Parse(metadata.GetValueOrDefault(MetadataKeys.Preparation));
        }
        catch (FormatException ex)
        {
            throw new ModelFormatException($"{source}: {ex.Message}");
        }
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
    /// <summary>Accuracy on the run's corrections test set, and how many corrections it held.</summary>
    // the corrections test set's keys, as model files have always spelled them
    public const string CorrectionsTestAccuracy = "extra_test_accuracy";
    public const string CorrectionsTestCount = "extra_test_count";
    public const string MnistSha256 = "mnist_sha256";
    public const string Created = "created";
    public const string Command = "command";

    /// <summary>The steps the model applies to every laid-out digit before reading it (<see cref="Preparation.DigitNormalisation"/>); absent for none.</summary>
    public const string Preparation = "preparation";
    public const string Temperature = "temperature";
    public const string RejectThreshold = "reject_threshold";
    public const string CheckpointEpoch = "checkpoint_epoch";
}
