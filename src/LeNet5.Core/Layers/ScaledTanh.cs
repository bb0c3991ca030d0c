using System.Numerics.Tensors;

namespace LeNet5.Core.Layers;

/// <summary>The paper's squashing function f(a) = A tanh(S a), A = 1.7159, S = 2/3 (appendix A), so f(+-1) = +-1.</summary>
public sealed class ScaledTanh(string name, Shape shape) : Layer(name, shape, shape)
{
    public const float A = 1.7159f;
    public const float S = 2f / 3f;
    public const string KindName = "tanh";

    public override string Kind => KindName;

    public override void Forward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch)
    {
        int len = n * Input.Size;
        // y = A tanh(S x)
        TensorPrimitives.Multiply(x[..len], S, y[..len]);
        TensorPrimitives.Tanh(y[..len], y[..len]);
        TensorPrimitives.Multiply(y[..len], A, y[..len]);
    }

    public override void Backward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dp, Span<float> scratch)
    {
        // f'(a) = S A (1 - tanh^2) = (S/A) (A^2 - y^2)
        int len = n * Input.Size;
        for (int i = 0; i < len; i++) dx[i] = dy[i] * (S / A) * (A * A - y[i] * y[i]);
    }

    public override void BackwardCurvature(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> d2y, Span<float> d2x, Span<float> hp, Span<float> scratch)
    {
        // d2E/da2 ~ f'(a)^2 d2E/dy2 (Gauss-Newton: the f'' term is dropped, paper eq. 25)
        int len = n * Input.Size;
        for (int i = 0; i < len; i++)
        {
            float d = (S / A) * (A * A - y[i] * y[i]);
            d2x[i] = d2y[i] * d * d;
        }
    }
}
