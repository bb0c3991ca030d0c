using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LeNet5.Core.Kernels;

/// <summary>
/// The two inner loops of a 5x5 convolution over flat planes of row stride W, off(r, c) = r W + c:
/// <see cref="Correlate"/>: dst[q] += sum_p sum_tap k_p[tap] src[start_p + q + off(tap)] over a list
/// of (source plane, kernel) pairs, and <see cref="Gradient"/>: dk[tap] += sum_q g[q] x[q + off(tap)].
/// <para>
/// With AVX-512 both keep their sums in registers (the blocks in ConvolutionBlocks.g.cs, one
/// straight-line body per width). Zen 5 retires two 512-bit FMAs a cycle with a latency of four, so a
/// block needs eight independent chains to run at full rate; and a 512-bit load at a column offset
/// straddles two cache lines, so loads, not FMAs, are the limit unless each is reused. When the
/// stride is a whole number of half-vectors up to two vectors (<see cref="RowStride"/>) a source
/// vector serves one output vector per kernel row, so it is loaded once per kernel column instead
/// of five times; at other
/// strides the plain blocks load one vector per FMA. Lengths are rounded up to whole vectors
/// (<see cref="Padded"/>), so callers pass buffers that are that much longer (zeros where they are
/// read past the end).
/// </para>
/// Elsewhere the same sums are taken with TensorPrimitives, one tap at a time over the exact length:
/// the reference the tests hold the vector code to.
/// </summary>
internal static partial class ConvolutionKernels
{
    public const int K = 5;
    private const int Taps = K * K;
    private const int V = 16;

    /// <summary>A length rounded up to whole 512-bit vectors.</summary>
    public static int Padded(int length) => (length + V - 1) / V * V;

    /// <summary>
    /// The row stride to lay a map of this width out at: whole half-vectors (8 floats) up to 32
    /// floats, what the row-reusing blocks need, else the width itself.
    /// </summary>
    public static int RowStride(int width) => width <= 2 * V ? (width + Half - 1) / Half * Half : width;

    /// <summary>Extent of the reads past a source offset: the last tap's offset.</summary>
    public static int Reach(int stride) => (K - 1) * stride + K - 1;

    private const int Half = V / 2;

    /// <summary>Half-vectors per row when the stride is 8, 16, 24 or 32 floats (the row blocks), else 0.</summary>
    private static int RowHalves(int stride) => stride % Half == 0 && stride <= 2 * V ? stride / Half : 0;

    /// <summary>The width of block b of <paramref name="blocks"/> nearly equal ones over <paramref name="vectors"/>, given the vectors already done.</summary>
    private static int BlockWidth(int vectors, int done, int blocks, int b) => (vectors - done + (blocks - b) - 1) / (blocks - b);

    /// <summary>
    /// dst[q] += sum_p sum_tap kernels[kernelStarts[p] + tap] src[sourceStarts[p] + q + off(tap)] for q &lt; length
    /// (up to <see cref="Padded"/>(length) with AVX-512: every source must then have Padded(length) + Reach(stride) floats).
    /// </summary>
    public static void Correlate(KernelPath path, ReadOnlySpan<float> src, ReadOnlySpan<int> sourceStarts, int stride,
        ReadOnlySpan<float> kernels, ReadOnlySpan<int> kernelStarts, Span<float> dst, int length)
    {
        if (sourceStarts.Length != kernelStarts.Length) throw new ArgumentException("one kernel per source");
        if (path != KernelPath.Vector512)
        {
            // one tap at a time, pair after pair
            var d = dst[..length];
            for (int p = 0; p < sourceStarts.Length; p++)
                for (int t = 0; t < Taps; t++)
                    TensorPrimitives.MultiplyAdd(src.Slice(sourceStarts[p] + t / K * stride + t % K, length), kernels[kernelStarts[p] + t], d, d);
            return;
        }
        int padded = Padded(length);
        if (dst.Length < padded) throw new ArgumentException("destination too short for the padded correlation");
        for (int p = 0; p < sourceStarts.Length; p++)
            if ((uint)sourceStarts[p] > (uint)src.Length || src.Length - sourceStarts[p] < padded + Reach(stride) ||
                (uint)kernelStarts[p] > (uint)kernels.Length || kernels.Length - kernelStarts[p] < Taps)
                throw new ArgumentException("a source or kernel is too short for the padded correlation");
        ref float s0 = ref MemoryMarshal.GetReference(src);
        ref float k0 = ref MemoryMarshal.GetReference(kernels);
        ref float d0 = ref MemoryMarshal.GetReference(dst);
        int rowHalves = RowHalves(stride);
        int widest = rowHalves != 0 ? MaxRowBlock : MaxPlainBlock;
        // blocks of nearly equal width, none wider than the registers hold
        int vectors = padded / V, blocks = (vectors + widest - 1) / widest;
        for (int b = 0, q = 0; b < blocks; b++)
        {
            int width = BlockWidth(vectors, q / V, blocks, b);
            if (rowHalves != 0)
                CorrelateRows(width, rowHalves, ref Unsafe.Add(ref s0, q), sourceStarts, ref k0, kernelStarts, ref Unsafe.Add(ref d0, q));
            else
                CorrelatePlain(width, ref Unsafe.Add(ref s0, q), sourceStarts, stride, ref k0, kernelStarts, ref Unsafe.Add(ref d0, q));
            q += width * V;
        }
    }

    /// <summary>
    /// <see cref="Correlate"/> for two destinations over the same sources, each with its own kernels:
    /// two output maps that read the same input maps, or two input maps' gradients gathered from the
    /// same output maps. At a row stride of an odd number of half-vectors (24 floats: the ablations'
    /// C5) a source vector meets only the kernel rows of its parity, two or three of five, so both
    /// maps are computed in one pass and each load feeds twice the multiply-adds. At an even one a
    /// load already meets all five rows, and the pair's extra registers made C1 slower (2.4 to 3.5
    /// us a sample, one thread), so there the maps go one after the other.
    /// </summary>
    public static void CorrelatePair(KernelPath path, ReadOnlySpan<float> src, ReadOnlySpan<int> sourceStarts, int stride,
        ReadOnlySpan<float> kernels, ReadOnlySpan<int> kernelStartsA, ReadOnlySpan<int> kernelStartsB, Span<float> dstA, Span<float> dstB, int length)
    {
        int rowHalves = RowHalves(stride);
        if (path != KernelPath.Vector512 || rowHalves % 2 == 0)
        {
            Correlate(path, src, sourceStarts, stride, kernels, kernelStartsA, dstA, length);
            Correlate(path, src, sourceStarts, stride, kernels, kernelStartsB, dstB, length);
            return;
        }
        if (sourceStarts.Length != kernelStartsA.Length || sourceStarts.Length != kernelStartsB.Length) throw new ArgumentException("one kernel per source");
        int padded = Padded(length);
        if (dstA.Length < padded || dstB.Length < padded) throw new ArgumentException("destination too short for the padded correlation");
        for (int p = 0; p < sourceStarts.Length; p++)
            if ((uint)sourceStarts[p] > (uint)src.Length || src.Length - sourceStarts[p] < padded + Reach(stride) ||
                (uint)kernelStartsA[p] > (uint)kernels.Length || kernels.Length - kernelStartsA[p] < Taps ||
                (uint)kernelStartsB[p] > (uint)kernels.Length || kernels.Length - kernelStartsB[p] < Taps)
                throw new ArgumentException("a source or kernel is too short for the padded correlation");
        ref float s0 = ref MemoryMarshal.GetReference(src);
        ref float k0 = ref MemoryMarshal.GetReference(kernels);
        ref float a0 = ref MemoryMarshal.GetReference(dstA);
        ref float b0 = ref MemoryMarshal.GetReference(dstB);
        int vectors = padded / V, blocks = (vectors + MaxPairBlock - 1) / MaxPairBlock;
        for (int b = 0, q = 0; b < blocks; b++)
        {
            int width = BlockWidth(vectors, q / V, blocks, b);
            CorrelateRowsPair(width, rowHalves, ref Unsafe.Add(ref s0, q), sourceStarts, ref k0, kernelStartsA, kernelStartsB,
                ref Unsafe.Add(ref a0, q), ref Unsafe.Add(ref b0, q));
            q += width * V;
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
        int padded = Padded(length);
        if (x.Length < padded + Reach(stride) || g.Length < padded || accumulators.Length < AccumulatorLength)
            throw new ArgumentException("buffers too short for the padded kernel gradient");
        ref float g0 = ref MemoryMarshal.GetReference(g);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float a0 = ref MemoryMarshal.GetReference(accumulators);
        int rowHalves = RowHalves(stride);
        if (rowHalves == 0)
        {
            GradientBlock(ref g0, ref x0, stride, padded, ref a0);
            return;
        }
        int vectors = padded / V, blocks = (vectors + MaxRowBlock - 1) / MaxRowBlock;
        for (int b = 0, q = 0; b < blocks; b++)
        {
            int width = BlockWidth(vectors, q / V, blocks, b);
            GradientRows(width, rowHalves, ref Unsafe.Add(ref g0, q), ref Unsafe.Add(ref x0, q), ref a0);
            q += width * V;
        }
    }

    /// <summary>
    /// <see cref="Gradient"/> for two kernels that meet the same input x: those of two output maps
    /// reading one input map, with output gradients gA and gB. At a row stride of an odd number of
    /// half-vectors both take one pass over x, for the reason <see cref="CorrelatePair"/> gives.
    /// At an even stride (LeNet-5's C1 and C3) the kernels go one after the other, so that the
    /// sums keep the order they were trained with: the shipped models stay reproducible bit for bit.
    /// </summary>
    public static void GradientPair(KernelPath path, ReadOnlySpan<float> gA, ReadOnlySpan<float> gB, ReadOnlySpan<float> x, int stride,
        Span<float> dkA, Span<float> dkB, Span<float> accumulatorsA, Span<float> accumulatorsB, int length)
    {
        int rowHalves = RowHalves(stride);
        if (path != KernelPath.Vector512 || rowHalves % 2 == 0)
        {
            Gradient(path, gA, x, stride, dkA, accumulatorsA, length);
            Gradient(path, gB, x, stride, dkB, accumulatorsB, length);
            return;
        }
        int padded = Padded(length);
        if (x.Length < padded + Reach(stride) || gA.Length < padded || gB.Length < padded ||
            accumulatorsA.Length < AccumulatorLength || accumulatorsB.Length < AccumulatorLength)
            throw new ArgumentException("buffers too short for the padded kernel gradient");
        ref float ga = ref MemoryMarshal.GetReference(gA);
        ref float gb = ref MemoryMarshal.GetReference(gB);
        ref float x0 = ref MemoryMarshal.GetReference(x);
        ref float aa = ref MemoryMarshal.GetReference(accumulatorsA);
        ref float ab = ref MemoryMarshal.GetReference(accumulatorsB);
        int vectors = padded / V, blocks = (vectors + MaxPairBlock - 1) / MaxPairBlock;
        for (int b = 0, q = 0; b < blocks; b++)
        {
            int width = BlockWidth(vectors, q / V, blocks, b);
            GradientRowsPair(width, rowHalves, ref Unsafe.Add(ref ga, q), ref Unsafe.Add(ref gb, q), ref Unsafe.Add(ref x0, q), ref aa, ref ab);
            q += width * V;
        }
    }

    /// <summary>dk[tap] += the sum of the vector accumulator of each tap (and clears it), for <paramref name="kernels"/> kernels.</summary>
    public static void Collect(KernelPath path, Span<float> accumulators, Span<float> dk, int kernels)
    {
        if (path != KernelPath.Vector512) return;
        if (accumulators.Length < kernels * AccumulatorLength || dk.Length < kernels * Taps) throw new ArgumentException("buffers too short for the kernels");
        ref float a = ref MemoryMarshal.GetReference(accumulators);
        for (int t = 0; t < kernels * Taps; t++)
        {
            dk[t] += Vector512.Sum(Vector512.LoadUnsafe(ref a, (nuint)(t * V)));
            Vector512<float>.Zero.StoreUnsafe(ref a, (nuint)(t * V));
        }
    }
}
