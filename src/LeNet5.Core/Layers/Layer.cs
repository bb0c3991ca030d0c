namespace LeNet5.Core.Layers;

/// <summary>The shape of one sample's activations: channels x height x width, stored row-major.</summary>
public readonly record struct Shape(int Channels, int Height, int Width)
{
    public int Size => Channels * Height * Width;
    public int[] ToArray() => Height == 1 && Width == 1 ? [Channels] : [Channels, Height, Width];
    public override string ToString() => $"{Channels}x{Height}x{Width}";
}

/// <summary>A named block of a layer's parameters, as it appears in a model file.</summary>
public sealed record ParameterTensor(string Name, int[] Shape)
{
    public int Size => Shape.Aggregate(1, (a, b) => a * b);
}

/// <summary>
/// One layer of the network. A layer holds no weights and no per-sample state: the network passes
/// it the slice of the flat parameter vector it owns, the activations of a batch of <c>n</c> samples
/// (each sample contiguous, <see cref="Input"/>.Size or <see cref="Output"/>.Size floats), and a
/// scratch buffer of <see cref="ScratchSize"/> floats owned by the calling thread. That is what lets
/// several threads run the same layer at once on their own slices of a batch.
/// <para>
/// What each layer computes, forward, backward and curvature, is written out as plain loops in double
/// precision, straight from the paper, in tests/LeNet5.Core.Tests/Layers/ReferenceLayers.cs (from the
/// repository root): read that first. The layers here compute the same in a layout built for speed
/// (src/LeNet5.Core/Kernels/README.md), and the tests hold every kernel path to those loops.
/// </para>
/// </summary>
public abstract class Layer(string name, Shape input, Shape output)
{
    public string Name { get; } = name;
    public Shape Input { get; } = input;
    public Shape Output { get; } = output;

    /// <summary>Kind of layer, for display (conv, avgpool, maxpool, subsample, tanh, fc).</summary>
    public abstract string Kind { get; }

    /// <summary>The trainable tensors, laid out one after another in the layer's parameter slice.</summary>
    public virtual IReadOnlyList<ParameterTensor> Parameters => [];
    public int ParameterCount => Parameters.Sum(t => t.Size);

    /// <summary>Inputs feeding one output unit (0 for layers without weights).</summary>
    public virtual int FanIn => 0;

    /// <summary>
    /// How many of the layer's output units each of its parameters moves together, in the same
    /// direction, whatever the input (1 for weights whose effect varies from unit to unit). SDLM's
    /// diagonal sums the units' curvatures as if they were independent, so the true curvature along
    /// such a parameter is about this many times larger; the rates are divided by it.
    /// </summary>
    public virtual int CoherentOutputs => 1;

    /// <summary>Floats of scratch space the layer needs per thread (for any batch size).</summary>
    public virtual int ScratchSize => 0;

    /// <summary>Weights uniform in [-2.4/F, 2.4/F], F the fan-in of the unit (paper, appendix A).</summary>
    public virtual void Initialize(Span<float> p, Random rng) { }

    /// <summary>y = f(x; p) for n samples.</summary>
    public abstract void Forward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch);

    /// <summary>
    /// Floats of the layer's weights laid out for one sample at a time (<see cref="Pack"/>), which a single prediction
    /// reads instead of the parameters; 0 for a layer that reads its parameters as they are.
    /// </summary>
    public virtual int PackedSize => 0;

    /// <summary>Lays the parameters <paramref name="p"/> out for <see cref="ForwardOne"/> (<see cref="PackedSize"/> floats).</summary>
    public virtual void Pack(ReadOnlySpan<float> p, Span<float> packed) { }

    /// <summary>y = f(x; p) for one sample, reading <paramref name="packed"/> (what <see cref="Pack"/> made of p) where the layer has it.</summary>
    public virtual void ForwardOne(ReadOnlySpan<float> p, ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch) =>
        Forward(1, p, x, y, scratch);

    /// <summary>
    /// Given dE/dy, accumulates dE/dp into <paramref name="dp"/> (summed over the samples) and writes
    /// dE/dx into <paramref name="dx"/> (skipped when it is empty, as for the first layer).
    /// </summary>
    public abstract void Backward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dp, Span<float> scratch);

    /// <summary>
    /// The Gauss-Newton diagonal pass of SDLM (paper, appendix C, eqs. 25-27): given d2E/dy2,
    /// accumulates d2E/dp2 into <paramref name="hp"/> and writes d2E/dx2 into <paramref name="d2x"/>:
    /// the backward pass with squared weights, squared inputs and squared activation derivatives.
    /// </summary>
    public abstract void BackwardCurvature(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> d2y, Span<float> d2x, Span<float> hp, Span<float> scratch);

    protected static void FillUniform(Span<float> values, float limit, Random rng)
    {
        for (int i = 0; i < values.Length; i++) values[i] = (float)((rng.NextDouble() * 2 - 1) * limit);
    }
}
