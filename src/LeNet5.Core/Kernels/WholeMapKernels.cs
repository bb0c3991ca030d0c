using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LeNet5.Core.Kernels;

/// <summary>
/// C3's three passes with a whole map in registers. C3 reads 14x14 maps and writes 10x10 ones, each row
/// one 512-bit vector (a stride of 16 floats, the columns past the map's width zero or discarded), so its
/// whole output map is 10 registers and a whole input-gradient map 14. The passes keep that map in
/// registers from the first multiply-add to the last, and load each source row once per kernel column:
/// <list type="bullet">
/// <item><see cref="Correlate"/> (forward): y[R] += k[r, c] x[R + r] shifted by c, the 14 shifted rows
/// of x loaded once for the 50 multiply-adds of a kernel column.</item>
/// <item><see cref="InputGradient"/>: dx[R + r] += k[r, c] dy[R] shifted by -c, only over the rows dy
/// has (the "full" correlation of the general kernels also runs over the zero margins: 70 row pairs a
/// kernel column where 50 carry anything).</item>
/// <item><see cref="Gradients"/>: dk[r, c] += dy[R] x[R + r] shifted by c, two kernels at a time over
/// the 14 shifted rows of their common input map.</item>
/// </list>
/// Against the general row blocks on Zen 5 this takes C3's forward and backward passes from about 1.4 to
/// 1.8 multiply-adds a cycle (<c>lenet5 bench --layers lenet5</c>). Every sum runs in a fixed order, so
/// training stays reproducible; the order differs from the general blocks', so the results agree with
/// them to float rounding, not to the bit. AVX-512 only: the portable path keeps the general loops.
/// </summary>
internal static class WholeMapKernels
{
    private const int K = 5, V = 16;

    /// <summary>The row stride (one vector), output rows and input rows these kernels are written for.</summary>
    public const int Stride = V, OutputRows = 10, InputRows = OutputRows + K - 1;

    /// <summary>Whether a map of this height, laid out at this stride, fits (C3 of LeNet-5).</summary>
    public static bool Fits(int inputHeight, int stride) => inputHeight == InputRows && stride == Stride;

    /// <summary>
    /// dst[R 16 + j] = start + sum_p sum_{r,c} kernels[kernelStarts[p] + 5r + c] src[sourceStarts[p] + (R + r) 16 + j + c]
    /// for the 10 rows R and 16 lanes j (lanes past the map's width are garbage the caller drops). Each source
    /// must hold 14 rows and 4 floats more.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Correlate(ReadOnlySpan<float> src, ReadOnlySpan<int> sourceStarts, ReadOnlySpan<float> kernels,
        ReadOnlySpan<int> kernelStarts, float start, Span<float> dst)
    {
        if (sourceStarts.Length != kernelStarts.Length) throw new ArgumentException("one kernel per source");
        if (dst.Length < OutputRows * V) throw new ArgumentException("destination too short for ten rows");
        for (int p = 0; p < sourceStarts.Length; p++)
            if ((uint)sourceStarts[p] > (uint)src.Length || src.Length - sourceStarts[p] < InputRows * V + K - 1 ||
                (uint)kernelStarts[p] > (uint)kernels.Length || kernels.Length - kernelStarts[p] < K * K)
                throw new ArgumentException("a source or kernel is too short");
        var y0 = Vector512.Create(start);
        Vector512<float> y1 = y0, y2 = y0, y3 = y0, y4 = y0, y5 = y0, y6 = y0, y7 = y0, y8 = y0, y9 = y0;
        for (int p = 0; p < sourceStarts.Length; p++)
        {
            ref float x = ref Unsafe.Add(ref MemoryMarshal.GetReference(src), sourceStarts[p]);
            ref float k = ref Unsafe.Add(ref MemoryMarshal.GetReference(kernels), kernelStarts[p]);
            for (int c = 0; c < K; c++)
            {
                // the 14 rows of x shifted left by c: row R + r meets kernel row r for output row R
                ref float xc = ref Unsafe.Add(ref x, c);
                var x0 = Row(ref xc, 0); var x1 = Row(ref xc, 1); var x2 = Row(ref xc, 2); var x3 = Row(ref xc, 3); var x4 = Row(ref xc, 4);
                var x5 = Row(ref xc, 5); var x6 = Row(ref xc, 6); var x7 = Row(ref xc, 7); var x8 = Row(ref xc, 8); var x9 = Row(ref xc, 9);
                var x10 = Row(ref xc, 10); var x11 = Row(ref xc, 11); var x12 = Row(ref xc, 12); var x13 = Row(ref xc, 13);
                Tap(Unsafe.Add(ref k, c), x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, ref y0, ref y1, ref y2, ref y3, ref y4, ref y5, ref y6, ref y7, ref y8, ref y9);
                Tap(Unsafe.Add(ref k, K + c), x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, ref y0, ref y1, ref y2, ref y3, ref y4, ref y5, ref y6, ref y7, ref y8, ref y9);
                Tap(Unsafe.Add(ref k, 2 * K + c), x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, ref y0, ref y1, ref y2, ref y3, ref y4, ref y5, ref y6, ref y7, ref y8, ref y9);
                Tap(Unsafe.Add(ref k, 3 * K + c), x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, ref y0, ref y1, ref y2, ref y3, ref y4, ref y5, ref y6, ref y7, ref y8, ref y9);
                Tap(Unsafe.Add(ref k, 4 * K + c), x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, ref y0, ref y1, ref y2, ref y3, ref y4, ref y5, ref y6, ref y7, ref y8, ref y9);
            }
        }
        ref float d = ref MemoryMarshal.GetReference(dst);
        y0.StoreUnsafe(ref d, 0 * V); y1.StoreUnsafe(ref d, 1 * V); y2.StoreUnsafe(ref d, 2 * V); y3.StoreUnsafe(ref d, 3 * V); y4.StoreUnsafe(ref d, 4 * V);
        y5.StoreUnsafe(ref d, 5 * V); y6.StoreUnsafe(ref d, 6 * V); y7.StoreUnsafe(ref d, 7 * V); y8.StoreUnsafe(ref d, 8 * V); y9.StoreUnsafe(ref d, 9 * V);
    }

    /// <summary>
    /// dx[R 16 + j] = sum_u sum_{r,c} kernels[kernelStarts[u] + 5r + c] dy[dyStarts[u] + (R - r) 16 + j - c] for the 14 rows R:
    /// the input gradient of one input map, gathered from the output gradients of the maps that read it. Each dy
    /// plane holds 10 rows whose columns past the map's width are zero, with at least 4 zeros before it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<int> dyStarts, ReadOnlySpan<float> kernels,
        ReadOnlySpan<int> kernelStarts, Span<float> dx)
    {
        if (dyStarts.Length != kernelStarts.Length) throw new ArgumentException("one kernel per output gradient");
        if (dx.Length < InputRows * V) throw new ArgumentException("destination too short for fourteen rows");
        for (int u = 0; u < dyStarts.Length; u++)
            if (dyStarts[u] < K - 1 || dyStarts[u] > dy.Length || dy.Length - dyStarts[u] < OutputRows * V ||
                (uint)kernelStarts[u] > (uint)kernels.Length || kernels.Length - kernelStarts[u] < K * K)
                throw new ArgumentException("an output gradient or kernel is too short");
        Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default, d4 = default, d5 = default, d6 = default;
        Vector512<float> d7 = default, d8 = default, d9 = default, d10 = default, d11 = default, d12 = default, d13 = default;
        for (int u = 0; u < dyStarts.Length; u++)
        {
            ref float g = ref Unsafe.Add(ref MemoryMarshal.GetReference(dy), dyStarts[u]);
            ref float k = ref Unsafe.Add(ref MemoryMarshal.GetReference(kernels), kernelStarts[u]);
            for (int c = 0; c < K; c++)
            {
                // the 10 rows of dy shifted right by c (the zeros before each row come in on the left)
                ref float gc = ref Unsafe.Subtract(ref g, c);
                var g0 = Row(ref gc, 0); var g1 = Row(ref gc, 1); var g2 = Row(ref gc, 2); var g3 = Row(ref gc, 3); var g4 = Row(ref gc, 4);
                var g5 = Row(ref gc, 5); var g6 = Row(ref gc, 6); var g7 = Row(ref gc, 7); var g8 = Row(ref gc, 8); var g9 = Row(ref gc, 9);
                Tap(Unsafe.Add(ref k, c), g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, ref d0, ref d1, ref d2, ref d3, ref d4, ref d5, ref d6, ref d7, ref d8, ref d9);
                Tap(Unsafe.Add(ref k, K + c), g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, ref d1, ref d2, ref d3, ref d4, ref d5, ref d6, ref d7, ref d8, ref d9, ref d10);
                Tap(Unsafe.Add(ref k, 2 * K + c), g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, ref d2, ref d3, ref d4, ref d5, ref d6, ref d7, ref d8, ref d9, ref d10, ref d11);
                Tap(Unsafe.Add(ref k, 3 * K + c), g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, ref d3, ref d4, ref d5, ref d6, ref d7, ref d8, ref d9, ref d10, ref d11, ref d12);
                Tap(Unsafe.Add(ref k, 4 * K + c), g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, ref d4, ref d5, ref d6, ref d7, ref d8, ref d9, ref d10, ref d11, ref d12, ref d13);
            }
        }
        ref float o = ref MemoryMarshal.GetReference(dx);
        d0.StoreUnsafe(ref o, 0 * V); d1.StoreUnsafe(ref o, 1 * V); d2.StoreUnsafe(ref o, 2 * V); d3.StoreUnsafe(ref o, 3 * V); d4.StoreUnsafe(ref o, 4 * V);
        d5.StoreUnsafe(ref o, 5 * V); d6.StoreUnsafe(ref o, 6 * V); d7.StoreUnsafe(ref o, 7 * V); d8.StoreUnsafe(ref o, 8 * V); d9.StoreUnsafe(ref o, 9 * V);
        d10.StoreUnsafe(ref o, 10 * V); d11.StoreUnsafe(ref o, 11 * V); d12.StoreUnsafe(ref o, 12 * V); d13.StoreUnsafe(ref o, 13 * V);
    }

    /// <summary>
    /// accumulators[accumulatorStarts[u] + (5r + c) 16 + j] += sum_s sum_R dy[s dySampleStride + dyStarts[u] + R 16 + j]
    /// x[s xSampleStride + (R + r) 16 + j + c] over the <paramref name="samples"/> samples: the kernel gradients of the maps u
    /// that read input map x, left as vectors for <see cref="ConvolutionKernels.Collect"/> to sum. Each dy plane holds 10 rows
    /// whose columns past the map's width are zero; each x holds 14 rows and 4 floats more.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gradients(ReadOnlySpan<float> x, int xSampleStride, ReadOnlySpan<float> dy, int dySampleStride, int samples,
        ReadOnlySpan<int> dyStarts, Span<float> accumulators, ReadOnlySpan<int> accumulatorStarts)
    {
        if (dyStarts.Length != accumulatorStarts.Length) throw new ArgumentException("one accumulator per output gradient");
        if (samples < 1) return;
        if (x.Length < (samples - 1) * xSampleStride + InputRows * V + K - 1) throw new ArgumentException("the input maps are too short");
        for (int u = 0; u < dyStarts.Length; u++)
            if ((uint)dyStarts[u] > (uint)dy.Length || dy.Length - dyStarts[u] < (samples - 1) * dySampleStride + OutputRows * V ||
                (uint)accumulatorStarts[u] > (uint)accumulators.Length || accumulators.Length - accumulatorStarts[u] < K * K * V)
                throw new ArgumentException("an output gradient or accumulator is too short");
        for (int u = 0; u < dyStarts.Length; u += 2)
            for (int c = 0; c < K; c++)
            {
                // two kernels at a time (ten independent sums hide the multiply-add latency), over every sample: the
                // pair's dy and the samples' x stay in the nearest cache for all five kernel columns
                bool pair = u + 1 < dyStarts.Length;
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default;
                Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default;
                for (int s = 0; s < samples; s++)
                {
                    // the 14 rows of the sample's x shifted left by c, and the two kernels' dy
                    ref float xc = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), s * xSampleStride + c);
                    ref float ga = ref Unsafe.Add(ref MemoryMarshal.GetReference(dy), s * dySampleStride + dyStarts[u]);
                    ref float gb = ref Unsafe.Add(ref MemoryMarshal.GetReference(dy), s * dySampleStride + dyStarts[pair ? u + 1 : u]);
                    var x0 = Row(ref xc, 0); var x1 = Row(ref xc, 1); var x2 = Row(ref xc, 2); var x3 = Row(ref xc, 3); var x4 = Row(ref xc, 4);
                    var x5 = Row(ref xc, 5); var x6 = Row(ref xc, 6); var x7 = Row(ref xc, 7); var x8 = Row(ref xc, 8); var x9 = Row(ref xc, 9);
                    var x10 = Row(ref xc, 10); var x11 = Row(ref xc, 11); var x12 = Row(ref xc, 12); var x13 = Row(ref xc, 13);
                    Rows5(Row(ref ga, 0), Row(ref gb, 0), x0, x1, x2, x3, x4, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(Row(ref ga, 1), Row(ref gb, 1), x1, x2, x3, x4, x5, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(Row(ref ga, 2), Row(ref gb, 2), x2, x3, x4, x5, x6, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(Row(ref ga, 3), Row(ref gb, 3), x3, x4, x5, x6, x7, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(Row(ref ga, 4), Row(ref gb, 4), x4, x5, x6, x7, x8, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(Row(ref ga, 5), Row(ref gb, 5), x5, x6, x7, x8, x9, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(Row(ref ga, 6), Row(ref gb, 6), x6, x7, x8, x9, x10, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(Row(ref ga, 7), Row(ref gb, 7), x7, x8, x9, x10, x11, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(Row(ref ga, 8), Row(ref gb, 8), x8, x9, x10, x11, x12, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(Row(ref ga, 9), Row(ref gb, 9), x9, x10, x11, x12, x13, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                }
                AddColumn(accumulators, accumulatorStarts[u], c, a0, a1, a2, a3, a4);
                if (pair) AddColumn(accumulators, accumulatorStarts[u + 1], c, b0, b1, b2, b3, b4);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Row(ref float plane, int row) => Vector512.LoadUnsafe(ref plane, (nuint)(row * V));

    /// <summary>t_i += k s_i for ten vectors: one kernel tap over a whole map (here) or along a row of positions (<see cref="SampleLaneKernels"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Tap(float k, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3, Vector512<float> s4,
        Vector512<float> s5, Vector512<float> s6, Vector512<float> s7, Vector512<float> s8, Vector512<float> s9,
        ref Vector512<float> t0, ref Vector512<float> t1, ref Vector512<float> t2, ref Vector512<float> t3, ref Vector512<float> t4,
        ref Vector512<float> t5, ref Vector512<float> t6, ref Vector512<float> t7, ref Vector512<float> t8, ref Vector512<float> t9)
    {
        var kv = Vector512.Create(k);
        t0 = Vector512.FusedMultiplyAdd(kv, s0, t0); t1 = Vector512.FusedMultiplyAdd(kv, s1, t1);
        t2 = Vector512.FusedMultiplyAdd(kv, s2, t2); t3 = Vector512.FusedMultiplyAdd(kv, s3, t3);
        t4 = Vector512.FusedMultiplyAdd(kv, s4, t4); t5 = Vector512.FusedMultiplyAdd(kv, s5, t5);
        t6 = Vector512.FusedMultiplyAdd(kv, s6, t6); t7 = Vector512.FusedMultiplyAdd(kv, s7, t7);
        t8 = Vector512.FusedMultiplyAdd(kv, s8, t8); t9 = Vector512.FusedMultiplyAdd(kv, s9, t9);
    }

    /// <summary>
    /// Two kernels' gradients, five taps each: a_t += ga x_t and b_t += gb x_t. Here the taps are the kernel rows r of output row R
    /// (x_t the input row R + r); in <see cref="SampleLaneKernels"/> the kernel columns c of output position j (x_t position j + c).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Rows5(Vector512<float> ga, Vector512<float> gb,
        Vector512<float> x0, Vector512<float> x1, Vector512<float> x2, Vector512<float> x3, Vector512<float> x4,
        ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2, ref Vector512<float> a3, ref Vector512<float> a4,
        ref Vector512<float> b0, ref Vector512<float> b1, ref Vector512<float> b2, ref Vector512<float> b3, ref Vector512<float> b4)
    {
        a0 = Vector512.FusedMultiplyAdd(ga, x0, a0); b0 = Vector512.FusedMultiplyAdd(gb, x0, b0);
        a1 = Vector512.FusedMultiplyAdd(ga, x1, a1); b1 = Vector512.FusedMultiplyAdd(gb, x1, b1);
        a2 = Vector512.FusedMultiplyAdd(ga, x2, a2); b2 = Vector512.FusedMultiplyAdd(gb, x2, b2);
        a3 = Vector512.FusedMultiplyAdd(ga, x3, a3); b3 = Vector512.FusedMultiplyAdd(gb, x3, b3);
        a4 = Vector512.FusedMultiplyAdd(ga, x4, a4); b4 = Vector512.FusedMultiplyAdd(gb, x4, b4);
    }

    /// <summary>The vector sums of kernel column c (taps 5r + c) added into a kernel's accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddColumn(Span<float> accumulators, int start, int c,
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, Vector512<float> a4)
    {
        ref float acc = ref Unsafe.Add(ref MemoryMarshal.GetReference(accumulators), start + c * V);
        Add(ref acc, 0, a0); Add(ref acc, 1, a1); Add(ref acc, 2, a2); Add(ref acc, 3, a3); Add(ref acc, 4, a4);
        static void Add(ref float acc, int r, Vector512<float> sum)
        {
            nuint at = (nuint)(r * K * V);
            (Vector512.LoadUnsafe(ref acc, at) + sum).StoreUnsafe(ref acc, at);
        }
    }
}
