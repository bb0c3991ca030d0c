using LeNet5.Core.Layers;

namespace LeNet5.Core.Networks;

/// <summary>
/// Everything one thread needs to run a batch of up to <see cref="MaxBatch"/> samples: every layer's
/// activations (index 0 is the input), two ping-pong buffers for the backward deltas, the class
/// scores and the layers' scratch. Allocated once; passes allocate nothing.
/// </summary>
public sealed class Workspace
{
    private readonly Network _network;
    private readonly float[][] _activations;
    private readonly float[][] _deltas;

    internal Workspace(Network network, int maxBatch)
    {
        _network = network;
        MaxBatch = maxBatch;
        _activations = new float[network.Layers.Count + 1][];
        _activations[0] = new float[maxBatch * network.InputSize];
        for (int l = 0; l < network.Layers.Count; l++) _activations[l + 1] = new float[maxBatch * network.Layers[l].Output.Size];
        int widest = _activations.Max(a => a.Length);
        _deltas = [new float[widest], new float[widest]];
        // pinned, so the scratch keeps the 64-byte alignment it starts at (the layers lay their planes out in whole vectors from it)
        _scratchLength = Math.Max(1, network.Layers.Max(l => l.ScratchSize));
        _scratch = GC.AllocateArray<float>(_scratchLength + AlignmentFloats, pinned: true);
        _scratchStart = AlignedStart(_scratch);
        Scores = new float[maxBatch * OutputHead.Classes];
    }

    public int MaxBatch { get; }
    /// <summary>The layers' scratch, starting on a 64-byte boundary (a cache line, a 512-bit vector).</summary>
    public Span<float> Scratch => _scratch.AsSpan(_scratchStart, _scratchLength);

    private readonly float[] _scratch;
    private readonly int _scratchStart, _scratchLength;
    private const int AlignmentFloats = 16;

    /// <summary>The index of the array's first element on a 64-byte boundary.</summary>
    private static unsafe int AlignedStart(float[] pinned)
    {
        const nuint bytes = AlignmentFloats * sizeof(float);
        fixed (float* first = pinned)
            return (int)((bytes - (nuint)first % bytes) % bytes / sizeof(float));
    }

    /// <summary>Class scores of the last forward pass, ten per sample.</summary>
    public float[] Scores { get; }

    /// <summary>The input buffer: <c>n</c> samples of 32x32 floats.</summary>
    public Span<float> Input => _activations[0];

    /// <summary>The output of layer <paramref name="index"/> - 1 (0 is the input) for n samples.</summary>
    public Span<float> Activation(int index, int n)
    {
        int size = index == 0 ? _network.InputSize : _network.Layers[index - 1].Output.Size;
        return _activations[index].AsSpan(0, n * size);
    }

    internal Span<float> Delta(int which, int length) => _deltas[which].AsSpan(0, length);

    internal void EnsureCapacity(int n)
    {
        if (n > MaxBatch) throw new ArgumentOutOfRangeException(nameof(n), $"batch of {n} exceeds workspace capacity {MaxBatch}");
    }
}
