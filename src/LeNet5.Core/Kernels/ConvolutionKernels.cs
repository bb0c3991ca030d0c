using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LeNet5.Core.Kernels;

/// <summary>
/// The two inner loops of a 5x5 convolution over flat planes of row stride W:
/// <see cref="Correlate"/>: dst[q] += sum_tap k[tap] src[q + off(tap)], off(r, c) = r W + c, and
/// <see cref="Gradient"/>: dk[tap] += sum_q g[q] x[q + off(tap)].
/// With AVX-512 a block of 64 outputs stays in four registers while the 25 taps stream past it, and
/// lengths are rounded up to whole vectors (<see cref="Padded"/>), so callers pass buffers that are
/// that much longer (zeros where they are read past the end). Elsewhere the same sums are taken with
/// TensorPrimitives, one tap at a time over the exact length.
/// </summary>
internal static class ConvolutionKernels
{
    public const int K = 5;
    private const int Taps = K * K;
    private const int V = 16;

    /// <summary>A length rounded up to whole 512-bit vectors.</summary>
    public static int Padded(int length) => (length + V - 1) / V * V;

    /// <summary>Extent of the reads past a source offset: the last tap's offset.</summary>
    public static int Reach(int stride) => (K - 1) * stride + K - 1;

    /// <summary>dst[q] += sum_tap k[tap] src[q + off(tap)] for q &lt; length (up to <see cref="Padded"/>(length) with AVX-512).</summary>
    public static void Correlate(KernelPath path, ReadOnlySpan<float> src, int stride, ReadOnlySpan<float> k, Span<float> dst, int length)
    {
        if (path != KernelPath.Vector512)
        {
            // one tap at a time, in the same (row-major) order as the vector path
            var d = dst[..length];
            for (int t = 0; t < Taps; t++) TensorPrimitives.MultiplyAdd(src.Slice(t / K * stride + t % K, length), k[t], d, d);
            return;
        }
        int padded = Padded(length);
        if (src.Length < padded + Reach(stride) || dst.Length < padded || k.Length < Taps)
            throw new ArgumentException("buffers too short for the padded correlation");
        ref float s0 = ref MemoryMarshal.GetReference(src);
        ref float d0 = ref MemoryMarshal.GetReference(dst);
        int q = 0;
        for (; q + 4 * V <= padded; q += 4 * V)
        {
            var a0 = Vector512.LoadUnsafe(ref d0, (nuint)q);
            var a1 = Vector512.LoadUnsafe(ref d0, (nuint)(q + V));
            var a2 = Vector512.LoadUnsafe(ref d0, (nuint)(q + 2 * V));
            var a3 = Vector512.LoadUnsafe(ref d0, (nuint)(q + 3 * V));
            for (int r = 0; r < K; r++)
                for (int c = 0; c < K; c++)
                {
                    var w = Vector512.Create(k[r * K + c]);
                    nuint at = (nuint)(q + r * stride + c);
                    a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s0, at), w, a0);
                    a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s0, at + V), w, a1);
                    a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s0, at + 2 * V), w, a2);
                    a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s0, at + 3 * V), w, a3);
                }
            a0.StoreUnsafe(ref d0, (nuint)q);
            a1.StoreUnsafe(ref d0, (nuint)(q + V));
            a2.StoreUnsafe(ref d0, (nuint)(q + 2 * V));
            a3.StoreUnsafe(ref d0, (nuint)(q + 3 * V));
        }
        for (; q < padded; q += V)
        {
            var a = Vector512.LoadUnsafe(ref d0, (nuint)q);
            for (int r = 0; r < K; r++)
                for (int c = 0; c < K; c++)
                    a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref s0, (nuint)(q + r * stride + c)), Vector512.Create(k[r * K + c]), a);
            a.StoreUnsafe(ref d0, (nuint)q);
        }
    }

    /// <summary>Floats of the per-tap vector accumulators <see cref="Gradient"/> uses for one kernel.</summary>
    public const int AccumulatorLength = Taps * V;

    /// <summary>
    /// dk[tap] += sum_{q &lt; length} g[q] x[q + off(tap)]. With AVX-512 the sums are left as
    /// vectors in <paramref name="accumulators"/> (16 floats a tap, see <see cref="Collect"/>), because
    /// reducing a vector to one float costs as much as the sum itself for a 10x10 map; g must be zero
    /// from length up to <see cref="Padded"/>(length), and x must hold Padded(length) + Reach(stride) floats.
    /// </summary>
    public static void Gradient(KernelPath path, ReadOnlySpan<float> g, ReadOnlySpan<float> x, int stride, Span<float> dk, Span<float> accumulators, int length)
    {
        if (path != KernelPath.Vector512)
        {
            for (int r = 0; r < K; r++)
                for (int c = 0; c < K; c++)
                    dk[r * K + c] += TensorPrimitives.Dot(g[..length], x.Slice(r * stride + c, length));
            return;
        }
        ref float a0 = ref MemoryMarshal.GetReference(accumulators);
        ref float g0 = ref MemoryMarshal.GetReference(g);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        int padded = Padded(length);
        if (x.Length < padded + Reach(stride) || g.Length < padded || accumulators.Length < AccumulatorLength)
            throw new ArgumentException("buffers too short for the padded kernel gradient");
        // one kernel row at a time: each g vector loaded once feeds the row's five taps
        for (int r = 0; r < K; r++)
        {
            var s0 = Vector512<float>.Zero;
            var s1 = Vector512<float>.Zero;
            var s2 = Vector512<float>.Zero;
            var s3 = Vector512<float>.Zero;
            var s4 = Vector512<float>.Zero;
            nuint row = (nuint)(r * stride);
            for (int q = 0; q < padded; q += V)
            {
                var e = Vector512.LoadUnsafe(ref g0, (nuint)q);
                nuint at = row + (nuint)q;
                s0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x0, at), e, s0);
                s1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x0, at + 1), e, s1);
                s2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x0, at + 2), e, s2);
                s3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x0, at + 3), e, s3);
                s4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref x0, at + 4), e, s4);
            }
            nuint slot = (nuint)(r * K * V);
            (Vector512.LoadUnsafe(ref a0, slot) + s0).StoreUnsafe(ref a0, slot);
            (Vector512.LoadUnsafe(ref a0, slot + V) + s1).StoreUnsafe(ref a0, slot + V);
            (Vector512.LoadUnsafe(ref a0, slot + 2 * V) + s2).StoreUnsafe(ref a0, slot + 2 * V);
            (Vector512.LoadUnsafe(ref a0, slot + 3 * V) + s3).StoreUnsafe(ref a0, slot + 3 * V);
            (Vector512.LoadUnsafe(ref a0, slot + 4 * V) + s4).StoreUnsafe(ref a0, slot + 4 * V);
        }
    }

    /// <summary>dk[tap] += the sum of the vector accumulator of each tap (and clears it), for <paramref name="kernels"/> kernels.</summary>
    public static void Collect(KernelPath path, Span<float> accumulators, Span<float> dk, int kernels)
    {
        if (path != KernelPath.Vector512) return;
        for (int t = 0; t < kernels * Taps; t++)
        {
            var slot = accumulators.Slice(t * V, V);
            dk[t] += TensorPrimitives.Sum<float>(slot);
            slot.Clear();
        }
    }
}
