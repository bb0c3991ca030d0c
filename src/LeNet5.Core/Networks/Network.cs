using LeNet5.Core.Layers;

namespace LeNet5.Core.Networks;

/// <summary>
/// The layers of one architecture and the layout of their parameters in one flat vector
/// (layer after layer, tensor after tensor). Holds no weights: every pass takes the parameter vector,
/// and a <see cref="Workspace"/> that owns the activations of one thread's samples.
/// </summary>
public sealed class Network
{
    private readonly int[] _offsets;
    private readonly int[] _packedOffsets;

    internal Network(Architecture architecture, IReadOnlyList<Layer> layers, OutputHead head)
    {
        Architecture = architecture;
        Layers = layers;
        Head = head;
        _offsets = new int[layers.Count + 1];
        for (int i = 0; i < layers.Count; i++) _offsets[i + 1] = _offsets[i] + layers[i].ParameterCount;
        _packedOffsets = new int[layers.Count + 1];
        for (int i = 0; i < layers.Count; i++) _packedOffsets[i + 1] = _packedOffsets[i] + layers[i].PackedSize;
        if (layers[^1].Output.Size != head.Inputs) throw new InvalidOperationException("head does not fit the last layer");
        long activations = InputSize + layers.Sum(l => (long)l.Output.Size);
        // a multiple of 4, the dense kernels' block of samples
        SamplesPerPass = (int)Math.Clamp(_offsets[^1] / activations, MinSamplesPerPass, MaxSamplesPerPass) / 4 * 4;
    }

    /// <summary>
    /// Samples a thread takes through forward and backward at a time (training, evaluation). The
    /// gradient is a sum over samples, so any split gives it. A pass reads every weight once and
    /// every activation of its samples: a short one keeps LeNet-5's activations (about 15,000 floats
    /// a sample) in the core's own cache, while the ablations' 48,000-input F6 (4 million weights)
    /// is better read once for many samples. So a pass is about as many samples as make the
    /// activations weigh what the weights do, within [16, 128] (lenet5 bench measured 16 fastest
    /// for lenet5 of 8, 16, 32 and 128).
    /// </summary>
    public int SamplesPerPass { get; }

    public const int MinSamplesPerPass = 16;
    public const int MaxSamplesPerPass = 128;

    public Architecture Architecture { get; }
    public IReadOnlyList<Layer> Layers { get; }
    public OutputHead Head { get; }
    public int ParameterCount => _offsets[^1];
    public int InputSize => Architecture.InputShape.Size;

    public (int Offset, int Count) ParameterRange(int layer) => (_offsets[layer], _offsets[layer + 1] - _offsets[layer]);

    /// <summary>Every parameter tensor with its model-file name ("c1.weight") and its offset in the flat vector.</summary>
    public IEnumerable<(string Name, int[] Shape, int Offset, int Layer)> Tensors()
    {
        for (int l = 0; l < Layers.Count; l++)
        {
            int offset = _offsets[l];
            foreach (var t in Layers[l].Parameters)
            {
                yield return ($"{Layers[l].Name}.{t.Name}", t.Shape, offset, l);
                offset += t.Size;
            }
        }
    }

    /// <summary>A fresh parameter vector, initialised by fan-in from <paramref name="seed"/>.</summary>
    public float[] InitializeParameters(int seed)
    {
        var p = new float[ParameterCount];
        var rng = new Random(seed);
        for (int l = 0; l < Layers.Count; l++) Layers[l].Initialize(p.AsSpan(_offsets[l], _offsets[l + 1] - _offsets[l]), rng);
        return p;
    }

    public Span<float> LayerSlice(Span<float> parameters, int layer) => parameters.Slice(_offsets[layer], _offsets[layer + 1] - _offsets[layer]);
    public ReadOnlySpan<float> LayerSlice(ReadOnlySpan<float> parameters, int layer) => parameters.Slice(_offsets[layer], _offsets[layer + 1] - _offsets[layer]);

    public Workspace CreateWorkspace(int maxBatch) => new(this, maxBatch);

    /// <summary>Runs the <paramref name="n"/> inputs in <see cref="Workspace.Input"/> through every layer and the head's scores.</summary>
    public void Forward(Workspace ws, ReadOnlySpan<float> parameters, int n)
    {
        ws.EnsureCapacity(n);
        for (int l = 0; l < Layers.Count; l++)
            Layers[l].Forward(n, LayerSlice(parameters, l), ws.Activation(l, n), ws.Activation(l + 1, n), ws.Scratch);
        var last = ws.Activation(Layers.Count, n);
        int size = Head.Inputs;
        for (int s = 0; s < n; s++)
            Head.Scores(last.Slice(s * size, size), ws.Scores.AsSpan(s * OutputHead.Classes, OutputHead.Classes));
    }

    /// <summary>
    /// The layers' weights laid out for one sample at a time (<see cref="Layer.Pack"/>), layer after layer: what
    /// <see cref="ForwardOne"/> reads beside the parameters. A copy, so it holds for these parameters as they are now.
    /// </summary>
    public float[] Pack(ReadOnlySpan<float> parameters)
    {
        var packed = new float[_packedOffsets[^1]];
        for (int l = 0; l < Layers.Count; l++) Layers[l].Pack(LayerSlice(parameters, l), PackedSlice(packed.AsSpan(), l));
        return packed;
    }

    /// <summary>
    /// <see cref="Forward"/> for the one input in <see cref="Workspace.Input"/>, with the weights <paramref name="packed"/>
    /// (<see cref="Pack"/> of the same parameters) where a layer reads them faster so: a single prediction.
    /// </summary>
    public void ForwardOne(Workspace ws, ReadOnlySpan<float> parameters, ReadOnlySpan<float> packed)
    {
        if (packed.Length != _packedOffsets[^1]) throw new ArgumentException($"expected {_packedOffsets[^1]} packed weights", nameof(packed));
        for (int l = 0; l < Layers.Count; l++)
            Layers[l].ForwardOne(LayerSlice(parameters, l), PackedSlice(packed, l), ws.Activation(l, 1), ws.Activation(l + 1, 1), ws.Scratch);
        Head.Scores(ws.Activation(Layers.Count, 1), ws.Scores.AsSpan(0, OutputHead.Classes));
    }

    private Span<float> PackedSlice(Span<float> packed, int layer) => packed.Slice(_packedOffsets[layer], _packedOffsets[layer + 1] - _packedOffsets[layer]);
    private ReadOnlySpan<float> PackedSlice(ReadOnlySpan<float> packed, int layer) => packed.Slice(_packedOffsets[layer], _packedOffsets[layer + 1] - _packedOffsets[layer]);

    /// <summary>
    /// Back-propagates the loss of the <paramref name="n"/> samples of the last <see cref="Forward"/>,
    /// adding dE/dp summed over them to <paramref name="gradients"/>. Returns the summed loss.
    /// </summary>
    public float Backward(Workspace ws, ReadOnlySpan<float> parameters, ReadOnlySpan<byte> labels, int n, Span<float> gradients)
    {
        var last = ws.Activation(Layers.Count, n);
        int size = Head.Inputs;
        var dy = ws.Delta(0, n * size);
        float loss = 0;
        for (int s = 0; s < n; s++)
            loss += Head.Loss(last.Slice(s * size, size), ws.Scores.AsSpan(s * OutputHead.Classes, OutputHead.Classes), labels[s], dy.Slice(s * size, size));
        BackwardLayers(ws, parameters, n, gradients, curvature: false, Span<float>.Empty);
        return loss;
    }

    /// <summary>
    /// Back-propagates an arbitrary dE/d(head input) <paramref name="dOutput"/> (n samples of
    /// <see cref="OutputHead.Inputs"/> floats) through the layers of the last <see cref="Forward"/>:
    /// adds dE/dp to <paramref name="gradients"/> and writes dE/d(network input) into <paramref name="dInput"/>
    /// (n samples of 32x32), which the training pass never needs and skips.
    /// </summary>
    public void BackwardFrom(Workspace ws, ReadOnlySpan<float> parameters, int n, ReadOnlySpan<float> dOutput, Span<float> gradients, Span<float> dInput)
    {
        if (dOutput.Length != n * Head.Inputs) throw new ArgumentException($"expected {n * Head.Inputs} output gradients", nameof(dOutput));
        if (dInput.Length != n * InputSize) throw new ArgumentException($"expected {n * InputSize} input gradients", nameof(dInput));
        dOutput.CopyTo(ws.Delta(0, dOutput.Length));
        BackwardLayers(ws, parameters, n, gradients, curvature: false, dInput);
    }

    /// <summary>The Gauss-Newton diagonal of the loss of the last forward samples, summed into <paramref name="curvature"/>.</summary>
    public void Curvature(Workspace ws, ReadOnlySpan<float> parameters, ReadOnlySpan<byte> labels, int n, Span<float> curvature)
    {
        var last = ws.Activation(Layers.Count, n);
        int size = Head.Inputs;
        var d2y = ws.Delta(0, n * size);
        for (int s = 0; s < n; s++)
            Head.Curvature(last.Slice(s * size, size), ws.Scores.AsSpan(s * OutputHead.Classes, OutputHead.Classes), labels[s], d2y.Slice(s * size, size));
        BackwardLayers(ws, parameters, n, curvature, curvature: true, Span<float>.Empty);
    }

    /// <summary>The layers' backward passes from ws.Delta(0); layer 0's dE/dx goes to <paramref name="dInput"/> (skipped when empty).</summary>
    private void BackwardLayers(Workspace ws, ReadOnlySpan<float> parameters, int n, Span<float> accumulator, bool curvature, Span<float> dInput)
    {
        int current = 0;
        for (int l = Layers.Count - 1; l >= 0; l--)
        {
            var layer = Layers[l];
            var dy = ws.Delta(current, n * layer.Output.Size);
            var dx = l == 0 ? dInput : ws.Delta(1 - current, n * layer.Input.Size);
            var p = LayerSlice(parameters, l);
            var acc = LayerSlice(accumulator, l);
            if (curvature)
                layer.BackwardCurvature(n, p, ws.Activation(l, n), ws.Activation(l + 1, n), dy, dx, acc, ws.Scratch);
            else
                layer.Backward(n, p, ws.Activation(l, n), ws.Activation(l + 1, n), dy, dx, acc, ws.Scratch);
            current = 1 - current;
        }
    }
}
