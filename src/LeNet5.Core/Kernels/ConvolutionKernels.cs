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
/// of five times; at other strides the plain blocks load one vector per FMA. Lengths are rounded
/// up to whole vectors (<see cref="Padded"/>), so callers pass buffers that are that much longer
/// (zeros where they are read past the end).
/// </para>
/// On the portable path the same sums are taken with TensorPrimitives, one tap at a time over the
/// exact length. Kernels/README.md draws the layout and says how the tests check both paths.
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

    /// <summary>
    /// The blocks a run of <paramref name="padded"/> floats is cut into, each as (offset in floats, width in
    /// vectors): as few as blocks of at most <paramref name="widest"/> vectors allow, of nearly equal widths,
    /// so that no block is left with a vector or two and too few chains to hide the FMA latency.
    /// </summary>
    private static BlockSplit Blocks(int padded, int widest) => new(padded / V, widest);

    private struct BlockSplit(int vectors, int widest)
    {
        private readonly int _blocks = (vectors + widest - 1) / widest;
        private int _b = -1, _done, _width;
        public readonly BlockSplit GetEnumerator() => this;
        public readonly (int Offset, int Width) Current => (_done * V, _width);

        public bool MoveNext()
        {
            _done += _width;
            if (++_b >= _blocks) return false;
            _width = (vectors - _done + (_blocks - _b) - 1) / (_blocks - _b);
            return true;
        }
    }

    /// <summary>Element i of a span by reference, for the blocks (callers check the lengths first).</summary>
    private static ref float At(ReadOnlySpan<float> span, int i) => ref Unsafe.Add(ref MemoryMarshal.GetReference(span), i);

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
        int rowHalves = RowHalves(stride);
        foreach (var (q, width) in Blocks(padded, rowHalves != 0 ? MaxRowBlock : MaxPlainBlock))
            if (rowHalves != 0)
                CorrelateRows(width, rowHalves, ref At(src, q), sourceStarts, ref At(kernels, 0), kernelStarts, ref At(dst, q));
            else
                CorrelatePlain(width, ref At(src, q), sourceStarts, stride, ref At(kernels, 0), kernelStarts, ref At(dst, q));
    }

    /// <summary>
    /// <see cref="Correlate"/> for two destinations over the same sources, each with its own kernels:
    /// two output maps that read the same input maps, or two input maps' gradients gathered from the
    /// same output maps. At a row stride of an odd number of half-vectors (24 floats: the ablations'
    /// C5) a source vector meets only the kernel rows of its parity, two or three of five, so both
    /// maps are computed in one pass and each load feeds twice the multiply-adds. At an even one a
    /// load already meets all five rows, so a pass over both maps gains no reuse and only costs the
    /// registers of a second set of sums (the blocks narrow, and run more often): there the maps go
    /// one after the other.
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
        foreach (var (q, width) in Blocks(padded, MaxPairBlock))
            CorrelateRowsPair(width, rowHalves, ref At(src, q), sourceStarts, ref At(kernels, 0), kernelStartsA, kernelStartsB, ref At(dstA, q), ref At(dstB, q));
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
        int rowHalves = RowHalves(stride);
        if (rowHalves == 0)
        {
            GradientBlock(ref At(g, 0), ref At(x, 0), stride, padded, ref At(accumulators, 0));
            return;
        }
        foreach (var (q, width) in Blocks(padded, MaxRowBlock))
            GradientRows(width, rowHalves, ref At(g, q), ref At(x, q), ref At(accumulators, 0));
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
        foreach (var (q, width) in Blocks(padded, MaxPairBlock))
            GradientRowsPair(width, rowHalves, ref At(gA, q), ref At(gB, q), ref At(x, q), ref At(accumulatorsA, 0), ref At(accumulatorsB, 0));
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
