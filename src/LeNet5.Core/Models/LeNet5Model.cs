using System.Collections.Concurrent;
using System.Globalization;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;
using LeNet5.Core.Preparation;

namespace LeNet5.Core.Models;

/// <summary>
/// A trained network: its architecture, its parameters and the metadata of the run that made it.
/// Safe to use from many threads at once: each prediction borrows a workspace from a pool.
/// </summary>
public sealed class LeNet5Model
{
    private readonly ConcurrentBag<Workspace> _workspaces = [];

    public LeNet5Model(Architecture architecture, float[] parameters, IReadOnlyDictionary<string, string>? metadata = null)
    {
        Architecture = architecture;
        Network = architecture.Build();
        if (parameters.Length != Network.ParameterCount)
            throw new ArgumentException($"{parameters.Length} parameters given, {architecture.Name} has {Network.ParameterCount}");
        Parameters = parameters;
        Metadata = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>());
        Normalisation = DigitNormalisation.Parse(Metadata.GetValueOrDefault(MetadataKeys.Preparation));
        Temperature = Metadata.TryGetValue(MetadataKeys.Temperature, out var t) && float.TryParse(t, CultureInfo.InvariantCulture, out var tv) && tv > 0 ? tv : 1f;
    }

    public Architecture Architecture { get; }
    public Networks.Network Network { get; }

    /// <summary>
    /// The weights. Predictions read them together with a copy laid out for one image at a time (<see cref="Network.Pack"/>),
    /// taken at the first prediction: change them before that, or build a new model.
    /// </summary>
    public float[] Parameters { get; }

    private float[]? _packed;
    private float[] Packed => LazyInitializer.EnsureInitialized(ref _packed, () => Network.Pack(Parameters));
    public Dictionary<string, string> Metadata { get; }

    /// <summary>What the model does to every laid-out digit before reading it; every face applies it (<see cref="Recognition.DigitRecognizer"/>, evaluation, the atlas).</summary>
    public DigitNormalisation Normalisation { get; }

    /// <summary>Softmax temperature that calibrates the probabilities (fitted after training).</summary>
    public float Temperature { get; set; }

    public double? TestAccuracy =>
        Metadata.TryGetValue(MetadataKeys.TestAccuracy, out var a) && double.TryParse(a, CultureInfo.InvariantCulture, out var v) ? v : null;

    /// <summary>Runs one 32x32 encoded input (see <see cref="InputEncoding"/>) through the network on the calling thread.</summary>
    public Prediction Predict(ReadOnlySpan<float> input32, bool includeActivations = false)
    {
        if (input32.Length != InputEncoding.Size) throw new ArgumentException($"expected {InputEncoding.Size} inputs", nameof(input32));
        var ws = Borrow();
        try
        {
            input32.CopyTo(ws.Input);
            return Run(ws, includeActivations);
        }
        finally
        {
            _workspaces.Add(ws);
        }
    }

    private Workspace Borrow() => _workspaces.TryTake(out var ws) ? ws : Network.CreateWorkspace(1);

    /// <summary>The network over the input already in <paramref name="ws"/>, and the answer it gives.</summary>
    private Prediction Run(Workspace ws, bool includeActivations)
    {
        Network.ForwardOne(ws, Parameters, Packed);
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

    /// <summary>
    /// Predicts a 28x28 MNIST-style digit (0 background, 255 ink) as it is: the network alone, without
    /// the model's <see cref="Normalisation"/> (which <see cref="Recognition.DigitRecognizer"/> applies).
    /// </summary>
    public Prediction Predict(ReadOnlySpan<byte> digit28, bool includeActivations = false)
    {
        var ws = Borrow();
        try
        {
            // encoded straight into the workspace: no copy of the input on the way
            InputEncoding.Encode(digit28, ws.Input);
            return Run(ws, includeActivations);
        }
        finally
        {
            _workspaces.Add(ws);
        }
    }
}
