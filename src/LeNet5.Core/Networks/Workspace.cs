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
    private readonly AlignedFloats[] _activations;
    private readonly AlignedFloats[] _deltas;
    private readonly AlignedFloats _scratch;

    internal Workspace(Network network, int maxBatch)
    {
        _network = network;
        MaxBatch = maxBatch;
        _activations = new AlignedFloats[network.Layers.Count + 1];
        _activations[0] = new(maxBatch * network.InputSize);
        for (int l = 0; l < network.Layers.Count; l++) _activations[l + 1] = new(maxBatch * network.Layers[l].Output.Size);
        int widest = _activations.Max(a => a.Length);
        _deltas = [new(widest), new(widest)];
        _scratch = new(Math.Max(1, network.Layers.Max(l => l.ScratchSize)));
        Scores = new float[maxBatch * OutputHead.Classes];
    }

    public int MaxBatch { get; }

    /// <summary>The layers' scratch, starting on a 64-byte boundary like every buffer here.</summary>
    public Span<float> Scratch => _scratch.Span;

    /// <summary>Class scores of the last forward pass, ten per sample.</summary>
    public float[] Scores { get; }

    /// <summary>The input buffer: <c>n</c> samples of 32x32 floats.</summary>
    public Span<float> Input => _activations[0].Span;

    /// <summary>The output of layer <paramref name="index"/> - 1 (0 is the input) for n samples.</summary>
    public Span<float> Activation(int index, int n)
    {
        int size = index == 0 ? _network.InputSize : _network.Layers[index - 1].Output.Size;
        return _activations[index].Span[..(n * size)];
    }

    internal Span<float> Delta(int which, int length) => _deltas[which].Span[..length];

    internal void EnsureCapacity(int n)
    {
        if (n > MaxBatch) throw new ArgumentOutOfRangeException(nameof(n), $"batch of {n} exceeds workspace capacity {MaxBatch}");
    }

    /// <summary>
    /// Floats on the pinned heap whose first one sits on a 64-byte boundary (a cache line, a 512-bit vector), and stays
    /// there: the layers' vector loops meet the same alignment in every process, not whatever the allocator gave (a
    /// vector that straddles two cache lines costs two reads), so a run's speed does not hang on where its buffers fell.
    /// </summary>
    private sealed class AlignedFloats
    {
        private const int Alignment = 16;
        private readonly float[] _array;
        private readonly int _start;

        public AlignedFloats(int length)
        {
            Length = length;
            _array = GC.AllocateArray<float>(length + Alignment, pinned: true);
            _start = Start(_array);
        }

        public int Length { get; }
        public Span<float> Span => _array.AsSpan(_start, Length);

        private static unsafe int Start(float[] pinned)
        {
            const nuint bytes = Alignment * sizeof(float);
            fixed (float* first = pinned)
                return (int)((bytes - (nuint)first % bytes) % bytes / sizeof(float));
        }
    }
}
