using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LeNet5.Core.Kernels;

namespace LeNet5.Core.Layers;

/// <summary>The paper's squashing function f(a) = A tanh(S a), A = 1.7159, S = 2/3 (appendix A), so f(+-1) = +-1.</summary>
public sealed class ScaledTanh(string name, Shape shape, KernelPath? path = null) : Layer(name, shape, shape)
{
    private readonly bool _vector = KernelPaths.Supported(path ?? KernelPaths.Fastest) == KernelPath.Vector512;

    public const float A = 1.7159f;
    public const float S = 2f / 3f;
    public const string KindName = "tanh";

    public override string Kind => KindName;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public override void Forward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch)
    {
        int len = n * Input.Size;
        // y = A tanh(S x)
        if (!_vector)
        {
            TensorPrimitives.Multiply(x[..len], S, y[..len]);
            TensorPrimitives.Tanh(y[..len], y[..len]);
            TensorPrimitives.Multiply(y[..len], A, y[..len]);
            return;
        }
        if (x.Length < len || y.Length < len) throw new ArgumentException("buffers shorter than the batch");
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float y0 = ref MemoryMarshal.GetReference(y);
        int i = 0;
        for (; i + 16 <= len; i += 16) Squash(Vector512.LoadUnsafe(ref x0, (nuint)i)).StoreUnsafe(ref y0, (nuint)i);
        if (i < len) // the last vector, overlapping the one before (or scalar for a batch under 16 floats)
        {
            if (len >= 16) Squash(Vector512.LoadUnsafe(ref x0, (nuint)(len - 16))).StoreUnsafe(ref y0, (nuint)(len - 16));
            else for (; i < len; i++) y[i] = A * MathF.Tanh(S * x[i]);
        }
    }

    /// <summary>
    /// A tanh(S a) in one pass, by the odd rational approximation tanh z ~ z P(z^2) / Q(z^2) on
    /// |z| &lt;= 7.9 (beyond it tanh is 1 in single precision), with the minimax coefficients Eigen and
    /// XLA use for float: a few ulp from tanh, and no exponential, which .NET evaluates in double.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Squash(Vector512<float> a)
    {
        var z = Vector512.Clamp(a * S, Vector512.Create(-TanhClamp), Vector512.Create(TanhClamp));
        var z2 = z * z;
        var p = Vector512.FusedMultiplyAdd(z2, Vector512.Create(-2.76076847742355e-16f), Vector512.Create(2.00018790482477e-13f));
        p = Vector512.FusedMultiplyAdd(z2, p, Vector512.Create(-8.60467152213735e-11f));
        p = Vector512.FusedMultiplyAdd(z2, p, Vector512.Create(5.12229709037114e-08f));
        p = Vector512.FusedMultiplyAdd(z2, p, Vector512.Create(1.48572235717979e-05f));
        p = Vector512.FusedMultiplyAdd(z2, p, Vector512.Create(6.37261928875436e-04f));
        p = Vector512.FusedMultiplyAdd(z2, p, Vector512.Create(4.89352455891786e-03f));
        var q = Vector512.FusedMultiplyAdd(z2, Vector512.Create(1.19825839466702e-06f), Vector512.Create(1.18534705686654e-04f));
        q = Vector512.FusedMultiplyAdd(z2, q, Vector512.Create(2.26843463243900e-03f));
        q = Vector512.FusedMultiplyAdd(z2, q, Vector512.Create(4.89352518554385e-03f));
        return z * p * A / q;
    }

    private const float TanhClamp = 7.90531110763549805f;

    // f'(a) = S A (1 - tanh^2) = (S/A) (A^2 - y^2)
    public override void Backward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dp, Span<float> scratch) =>
        Propagate(n * Input.Size, y, dy, dx, squared: false);

    // d2E/da2 ~ f'(a)^2 d2E/dy2 (Gauss-Newton: the f'' term is dropped, paper eq. 25)
    public override void BackwardCurvature(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> d2y, Span<float> d2x, Span<float> hp, Span<float> scratch) =>
        Propagate(n * Input.Size, y, d2y, d2x, squared: true);

    /// <summary>dx = dy f'(a), or with <paramref name="squared"/> dx = dy f'(a)^2, with f'(a) from the output y.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Propagate(int len, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, bool squared)
    {
        if (_vector && len >= 16)
        {
            if (y.Length < len || dy.Length < len || dx.Length < len) throw new ArgumentException("buffers shorter than the batch");
            ref float y0 = ref MemoryMarshal.GetReference(y);
            ref float g0 = ref MemoryMarshal.GetReference(dy);
            ref float d0 = ref MemoryMarshal.GetReference(dx);
            for (int i = 0; ; i += 16)
            {
                if (i + 16 > len) i = len - 16; // the last vector overlaps the one before
                var yi = Vector512.LoadUnsafe(ref y0, (nuint)i);
                var t = Vector512.FusedMultiplyAdd(-yi, yi, Vector512.Create(A * A));
                var g = Vector512.LoadUnsafe(ref g0, (nuint)i);
                (squared ? g * ((S / A) * t) * ((S / A) * t) : g * (S / A) * t).StoreUnsafe(ref d0, (nuint)i);
                if (i + 16 >= len) return;
            }
        }
        for (int i = 0; i < len; i++)
        {
            float t = A * A - y[i] * y[i];
            dx[i] = squared ? dy[i] * ((S / A) * t) * ((S / A) * t) : dy[i] * (S / A) * t;
        }
    }
}
