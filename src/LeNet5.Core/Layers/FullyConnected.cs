using LeNet5.Core.Kernels;

namespace LeNet5.Core.Layers;

/// <summary>A fully connected layer y = W x + b (F6, or the extra layer of lenet5-nopool-fc).</summary>
public sealed class FullyConnected(string name, int inputs, int outputs, KernelPath? path = null)
    : Layer(name, new Shape(inputs, 1, 1), new Shape(outputs, 1, 1))
{
    private readonly KernelPath _path = KernelPaths.Supported(path ?? KernelPaths.Fastest);

    public const string KindName = "fc";
    public override string Kind => KindName;
    public int Inputs { get; } = inputs;
    public int Outputs { get; } = outputs;

    public override IReadOnlyList<ParameterTensor> Parameters =>
        [new("weight", [Outputs, Inputs]), new("bias", [Outputs])];

    public override int FanIn => Inputs;

    public override int ScratchSize => Dense.ScratchSize(Outputs);

    public override void Initialize(Span<float> p, Random rng) =>
        FillUniform(p, 2.4f / Inputs, rng);

    public override void Forward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch) =>
        Dense.Forward(_path, n, Inputs, Outputs, p[..(Inputs * Outputs)], p[(Inputs * Outputs)..], x, y);

    /// <summary>Wᵀ: a single prediction streams it once, in order (<see cref="Dense.ForwardPacked"/>).</summary>
    public override int PackedSize => Dense.PackedSize(_path, Inputs, Outputs);

    public override void Pack(ReadOnlySpan<float> p, Span<float> packed) =>
        Dense.Pack(_path, Inputs, Outputs, p[..(Inputs * Outputs)], p[(Inputs * Outputs)..], packed);

    public override void ForwardOne(ReadOnlySpan<float> p, ReadOnlySpan<float> packed, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch) =>
        Dense.ForwardPacked(_path, Inputs, Outputs, p[..(Inputs * Outputs)], p[(Inputs * Outputs)..], packed, x, y);

    public override void Backward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dp, Span<float> scratch) =>
        Dense.Backward(_path, n, Inputs, Outputs, p[..(Inputs * Outputs)], x, dy, dx, dp[..(Inputs * Outputs)], dp[(Inputs * Outputs)..]);

    public override void BackwardCurvature(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> d2y, Span<float> d2x, Span<float> hp, Span<float> scratch) =>
        Dense.Curvature(_path, n, Inputs, Outputs, p[..(Inputs * Outputs)], x, d2y, d2x, hp[..(Inputs * Outputs)], hp[(Inputs * Outputs)..], scratch);
}
