using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using static LeNet5.Core.Kernels.WholeMapKernels; // Tap and Rows5: the same multiply-adds over other layouts

namespace LeNet5.Core.Kernels;

/// <summary>
/// C3's three passes over sixteen samples at once, one sample in each lane of a 512-bit vector. A map is laid out
/// position-major, <c>plane[(row W + col) 16 + sample]</c>, so every vector holds one position of sixteen maps and
/// no lane is wasted: <see cref="WholeMapKernels"/> puts a map's row of 10 columns in a vector of 16 lanes, and 37.5%
/// of its multiply-adds are thrown away. Here a kernel weight is broadcast and the multiply-adds run along a row of
/// positions, as in the paper's own definition of a valid correlation:
/// <list type="bullet">
/// <item><see cref="Correlate"/> (forward): y[R, j] += k[r, c] x[R + r, j + c], a row of 10 outputs in registers,
/// the 14 positions of a source row loaded once for its 50 multiply-adds.</item>
/// <item><see cref="InputGradient"/>: dx[r, j + c] += k[r - R, c] dy[R, j], a row of 14 input gradients in registers.</item>
/// <item><see cref="Gradients"/>: dk[r, c] += sum over positions of dy[R, j] x[R + r, j + c], lane by lane, so each
/// lane keeps its own sample's sum and <see cref="ConvolutionKernels.Collect"/> adds the sixteen.</item>
/// </list>
/// Every sum runs in a fixed order, so training stays reproducible. AVX-512 only.
/// </summary>
internal static class SampleLaneKernels
{
    private const int K = 5, V = 16;

    /// <summary>The samples a pass takes: one a lane.</summary>
    public const int Lanes = V;

    /// <summary>C3's output rows and columns, and its input's.</summary>
    public const int OutputSide = 10, InputSide = OutputSide + K - 1;

    /// <summary>Floats of one map of sixteen samples, position-major.</summary>
    public const int InputPlane = InputSide * InputSide * V, OutputPlane = OutputSide * OutputSide * V;

    /// <summary>The side of a square map a correlation's output of side <paramref name="outputSide"/> reads.</summary>
    public static int InputSideOf(int outputSide) => outputSide + K - 1;

    /// <summary>
    /// dst[(R W + j) 16 + s] = start + sum_p sum_{r,c} kernels[kernelStarts[p] + 5r + c] src[sourceStarts[p] + ((R + r) (W + 4) + j + c) 16 + s]
    /// for an output map of side W = <paramref name="outputSide"/> (at least 10): one output map of the sixteen samples, from
    /// the input maps it reads, ten positions of a row at a time (a row whose width is not a multiple of ten ends in a
    /// block that overlaps the one before and writes its positions again, with the same sums).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Correlate(ReadOnlySpan<float> src, ReadOnlySpan<int> sourceStarts, ReadOnlySpan<float> kernels,
        ReadOnlySpan<int> kernelStarts, float start, Span<float> dst, int outputSide = OutputSide)
    {
        int inputSide = InputSideOf(outputSide), inputPlane = inputSide * inputSide * V;
        if (outputSide < OutputSide) throw new ArgumentOutOfRangeException(nameof(outputSide), "maps of ten positions or more");
        if (sourceStarts.Length != kernelStarts.Length) throw new ArgumentException("one kernel per source");
        if (dst.Length < outputSide * outputSide * V) throw new ArgumentException("destination too short for a map");
        for (int p = 0; p < sourceStarts.Length; p++)
            if ((uint)sourceStarts[p] > (uint)src.Length || src.Length - sourceStarts[p] < inputPlane ||
                (uint)kernelStarts[p] > (uint)kernels.Length || kernels.Length - kernelStarts[p] < K * K)
                throw new ArgumentException("a source or kernel is too short");
        ref float d = ref MemoryMarshal.GetReference(dst);
        var bias = Vector512.Create(start);
        for (int R = 0; R < outputSide; R++)
        for (int block = 0; block < outputSide; block += OutputSide)
        {
            int j0 = Math.Min(block, outputSide - OutputSide);
            Vector512<float> y0 = bias, y1 = bias, y2 = bias, y3 = bias, y4 = bias, y5 = bias, y6 = bias, y7 = bias, y8 = bias, y9 = bias;
            for (int p = 0; p < sourceStarts.Length; p++)
            {
                ref float k = ref Unsafe.Add(ref MemoryMarshal.GetReference(kernels), kernelStarts[p]);
                for (int r = 0; r < K; r++)
                {
                    // source row R + r: the 14 positions from j0 meet kernel row r
                    ref float x = ref Unsafe.Add(ref MemoryMarshal.GetReference(src), sourceStarts[p] + ((R + r) * inputSide + j0) * V);
                    var x0 = At(ref x, 0); var x1 = At(ref x, 1); var x2 = At(ref x, 2); var x3 = At(ref x, 3); var x4 = At(ref x, 4);
                    var x5 = At(ref x, 5); var x6 = At(ref x, 6); var x7 = At(ref x, 7); var x8 = At(ref x, 8); var x9 = At(ref x, 9);
                    var x10 = At(ref x, 10); var x11 = At(ref x, 11); var x12 = At(ref x, 12); var x13 = At(ref x, 13);
                    ref float kr = ref Unsafe.Add(ref k, r * K);
                    Tap(kr, x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, ref y0, ref y1, ref y2, ref y3, ref y4, ref y5, ref y6, ref y7, ref y8, ref y9);
                    Tap(Unsafe.Add(ref kr, 1), x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, ref y0, ref y1, ref y2, ref y3, ref y4, ref y5, ref y6, ref y7, ref y8, ref y9);
                    Tap(Unsafe.Add(ref kr, 2), x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, ref y0, ref y1, ref y2, ref y3, ref y4, ref y5, ref y6, ref y7, ref y8, ref y9);
                    Tap(Unsafe.Add(ref kr, 3), x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, ref y0, ref y1, ref y2, ref y3, ref y4, ref y5, ref y6, ref y7, ref y8, ref y9);
                    Tap(Unsafe.Add(ref kr, 4), x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, ref y0, ref y1, ref y2, ref y3, ref y4, ref y5, ref y6, ref y7, ref y8, ref y9);
                }
            }
            ref float row = ref Unsafe.Add(ref d, (R * outputSide + j0) * V);
            Store(ref row, y0, y1, y2, y3, y4, y5, y6, y7, y8, y9);
        }
    }

    /// <summary>
    /// dx[(r 14 + j) 16 + s] = sum_u sum_{R,c} kernels[kernelStarts[u] + 5(r - R) + c] dy[dyStarts[u] + (R 10 + j - c) 16 + s]
    /// over the terms inside both maps: the input gradient of one input map, gathered from the maps that read it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient(ReadOnlySpan<float> dy, ReadOnlySpan<int> dyStarts, ReadOnlySpan<float> kernels,
        ReadOnlySpan<int> kernelStarts, Span<float> dx)
    {
        if (dyStarts.Length != kernelStarts.Length) throw new ArgumentException("one kernel per output gradient");
        if (dx.Length < InputPlane) throw new ArgumentException("destination too short for a map");
        for (int u = 0; u < dyStarts.Length; u++)
            if ((uint)dyStarts[u] > (uint)dy.Length || dy.Length - dyStarts[u] < OutputPlane ||
                (uint)kernelStarts[u] > (uint)kernels.Length || kernels.Length - kernelStarts[u] < K * K)
                throw new ArgumentException("an output gradient or kernel is too short");
        ref float o = ref MemoryMarshal.GetReference(dx);
        for (int r = 0; r < InputSide; r++)
        {
            Vector512<float> d0 = default, d1 = default, d2 = default, d3 = default, d4 = default, d5 = default, d6 = default;
            Vector512<float> d7 = default, d8 = default, d9 = default, d10 = default, d11 = default, d12 = default, d13 = default;
            for (int u = 0; u < dyStarts.Length; u++)
            {
                ref float k = ref Unsafe.Add(ref MemoryMarshal.GetReference(kernels), kernelStarts[u]);
                // the output rows R = r - kr that input row r reaches through kernel row kr
                for (int kr = Math.Max(0, r - (OutputSide - 1)); kr <= Math.Min(K - 1, r); kr++)
                {
                    ref float g = ref Unsafe.Add(ref MemoryMarshal.GetReference(dy), dyStarts[u] + (r - kr) * OutputSide * V);
                    var g0 = At(ref g, 0); var g1 = At(ref g, 1); var g2 = At(ref g, 2); var g3 = At(ref g, 3); var g4 = At(ref g, 4);
                    var g5 = At(ref g, 5); var g6 = At(ref g, 6); var g7 = At(ref g, 7); var g8 = At(ref g, 8); var g9 = At(ref g, 9);
                    ref float kk = ref Unsafe.Add(ref k, kr * K);
                    Tap(kk, g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, ref d0, ref d1, ref d2, ref d3, ref d4, ref d5, ref d6, ref d7, ref d8, ref d9);
                    Tap(Unsafe.Add(ref kk, 1), g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, ref d1, ref d2, ref d3, ref d4, ref d5, ref d6, ref d7, ref d8, ref d9, ref d10);
                    Tap(Unsafe.Add(ref kk, 2), g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, ref d2, ref d3, ref d4, ref d5, ref d6, ref d7, ref d8, ref d9, ref d10, ref d11);
                    Tap(Unsafe.Add(ref kk, 3), g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, ref d3, ref d4, ref d5, ref d6, ref d7, ref d8, ref d9, ref d10, ref d11, ref d12);
                    Tap(Unsafe.Add(ref kk, 4), g0, g1, g2, g3, g4, g5, g6, g7, g8, g9, ref d4, ref d5, ref d6, ref d7, ref d8, ref d9, ref d10, ref d11, ref d12, ref d13);
                }
            }
            ref float row = ref Unsafe.Add(ref o, r * InputSide * V);
            Store(ref row, d0, d1, d2, d3, d4, d5, d6, d7, d8, d9);
            d10.StoreUnsafe(ref row, 10 * V); d11.StoreUnsafe(ref row, 11 * V); d12.StoreUnsafe(ref row, 12 * V); d13.StoreUnsafe(ref row, 13 * V);
        }
    }

    /// <summary>
    /// accumulators[accumulatorStarts[u] + (5r + c) 16 + s] += sum_{R,j} dy[dyStarts[u] + (R W + j) 16 + s] x[((R + r) (W + 4) + j + c) 16 + s]
    /// for output maps of side W = <paramref name="outputSide"/> (at least 10): the kernel gradients of the maps u that read
    /// input map x, each lane its own sample's, two kernels at a time (their ten sums hide the multiply-add latency, and each
    /// position of x, loaded once, serves both), ten positions of a row at a time (the last block of a row takes what is left).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gradients(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, ReadOnlySpan<int> dyStarts,
        Span<float> accumulators, ReadOnlySpan<int> accumulatorStarts, int outputSide = OutputSide)
    {
        int inputSide = InputSideOf(outputSide), outputPlane = outputSide * outputSide * V;
        if (outputSide < OutputSide) throw new ArgumentOutOfRangeException(nameof(outputSide), "maps of ten positions or more");
        if (dyStarts.Length != accumulatorStarts.Length) throw new ArgumentException("one accumulator per output gradient");
        if (x.Length < inputSide * inputSide * V) throw new ArgumentException("the input map is too short");
        for (int u = 0; u < dyStarts.Length; u++)
            if ((uint)dyStarts[u] > (uint)dy.Length || dy.Length - dyStarts[u] < outputPlane ||
                (uint)accumulatorStarts[u] > (uint)accumulators.Length || accumulators.Length - accumulatorStarts[u] < K * K * V)
                throw new ArgumentException("an output gradient or accumulator is too short");
        for (int u = 0; u < dyStarts.Length; u += 2)
        {
            bool pair = u + 1 < dyStarts.Length;
            for (int r = 0; r < K; r++)
            {
                Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default;
                Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default;
                for (int R = 0; R < outputSide; R++)
                for (int j0 = 0; j0 < outputSide; j0 += OutputSide)
                {
                    ref float ga = ref Unsafe.Add(ref MemoryMarshal.GetReference(dy), dyStarts[u] + (R * outputSide + j0) * V);
                    ref float gb = ref Unsafe.Add(ref MemoryMarshal.GetReference(dy), dyStarts[pair ? u + 1 : u] + (R * outputSide + j0) * V);
                    ref float xr = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), ((R + r) * inputSide + j0) * V);
                    if (outputSide - j0 < OutputSide)
                    {
                        // a row's last block, narrower than ten: one position at a time
                        for (int j = 0; j < outputSide - j0; j++)
                            Rows5(At(ref ga, j), At(ref gb, j), At(ref xr, j), At(ref xr, j + 1), At(ref xr, j + 2), At(ref xr, j + 3), At(ref xr, j + 4),
                                ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                        continue;
                    }
                    // the 14 positions of the source row from j0, loaded once: position j + c meets dy[j] through kernel column c
                    var x0 = At(ref xr, 0); var x1 = At(ref xr, 1); var x2 = At(ref xr, 2); var x3 = At(ref xr, 3); var x4 = At(ref xr, 4);
                    var x5 = At(ref xr, 5); var x6 = At(ref xr, 6); var x7 = At(ref xr, 7); var x8 = At(ref xr, 8); var x9 = At(ref xr, 9);
                    var x10 = At(ref xr, 10); var x11 = At(ref xr, 11); var x12 = At(ref xr, 12); var x13 = At(ref xr, 13);
                    Rows5(At(ref ga, 0), At(ref gb, 0), x0, x1, x2, x3, x4, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(At(ref ga, 1), At(ref gb, 1), x1, x2, x3, x4, x5, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(At(ref ga, 2), At(ref gb, 2), x2, x3, x4, x5, x6, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(At(ref ga, 3), At(ref gb, 3), x3, x4, x5, x6, x7, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(At(ref ga, 4), At(ref gb, 4), x4, x5, x6, x7, x8, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(At(ref ga, 5), At(ref gb, 5), x5, x6, x7, x8, x9, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(At(ref ga, 6), At(ref gb, 6), x6, x7, x8, x9, x10, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(At(ref ga, 7), At(ref gb, 7), x7, x8, x9, x10, x11, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(At(ref ga, 8), At(ref gb, 8), x8, x9, x10, x11, x12, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                    Rows5(At(ref ga, 9), At(ref gb, 9), x9, x10, x11, x12, x13, ref a0, ref a1, ref a2, ref a3, ref a4, ref b0, ref b1, ref b2, ref b3, ref b4);
                }
                AddRow(accumulators, accumulatorStarts[u], r, a0, a1, a2, a3, a4);
                if (pair) AddRow(accumulators, accumulatorStarts[u + 1], r, b0, b1, b2, b3, b4);
            }
        }
    }

    /// <summary>
    /// <paramref name="lanes"/>[q 16 + s] = <paramref name="samples"/>[s <paramref name="sampleStride"/> + q] for the q &lt;
    /// <paramref name="count"/> floats of each of the sixteen samples (squared for the curvature pass): sixteen floats of
    /// each sample at a time, transposed in registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ToLanes(ReadOnlySpan<float> samples, int sampleStride, int count, Span<float> lanes, bool squared = false)
    {
        if (samples.Length < (V - 1) * sampleStride + count || lanes.Length < count * V) throw new ArgumentException("buffers too short for sixteen samples");
        ref float src = ref MemoryMarshal.GetReference(samples);
        ref float dst = ref MemoryMarshal.GetReference(lanes);
        int q = 0;
        for (; q + V <= count; q += V)
        {
            ref float s0 = ref Unsafe.Add(ref src, q);
            var v0 = Load(ref s0, 0, sampleStride, squared); var v1 = Load(ref s0, 1, sampleStride, squared);
            var v2 = Load(ref s0, 2, sampleStride, squared); var v3 = Load(ref s0, 3, sampleStride, squared);
            var v4 = Load(ref s0, 4, sampleStride, squared); var v5 = Load(ref s0, 5, sampleStride, squared);
            var v6 = Load(ref s0, 6, sampleStride, squared); var v7 = Load(ref s0, 7, sampleStride, squared);
            var v8 = Load(ref s0, 8, sampleStride, squared); var v9 = Load(ref s0, 9, sampleStride, squared);
            var v10 = Load(ref s0, 10, sampleStride, squared); var v11 = Load(ref s0, 11, sampleStride, squared);
            var v12 = Load(ref s0, 12, sampleStride, squared); var v13 = Load(ref s0, 13, sampleStride, squared);
            var v14 = Load(ref s0, 14, sampleStride, squared); var v15 = Load(ref s0, 15, sampleStride, squared);
            Transpose(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15);
            ref float d = ref Unsafe.Add(ref dst, q * V);
            Store(ref d, v0, v1, v2, v3, v4, v5, v6, v7, v8, v9);
            v10.StoreUnsafe(ref d, 10 * V); v11.StoreUnsafe(ref d, 11 * V); v12.StoreUnsafe(ref d, 12 * V);
            v13.StoreUnsafe(ref d, 13 * V); v14.StoreUnsafe(ref d, 14 * V); v15.StoreUnsafe(ref d, 15 * V);
        }
        for (; q < count; q++)
            for (int s = 0; s < V; s++)
            {
                float value = Unsafe.Add(ref src, s * sampleStride + q);
                Unsafe.Add(ref dst, q * V + s) = squared ? value * value : value;
            }
    }

    /// <summary>The inverse of <see cref="ToLanes"/>: each of the sixteen samples' <paramref name="count"/> floats back in its own place.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FromLanes(ReadOnlySpan<float> lanes, int count, Span<float> samples, int sampleStride)
    {
        if (samples.Length < (V - 1) * sampleStride + count || lanes.Length < count * V) throw new ArgumentException("buffers too short for sixteen samples");
        ref float src = ref MemoryMarshal.GetReference(lanes);
        ref float dst = ref MemoryMarshal.GetReference(samples);
        int q = 0;
        for (; q + V <= count; q += V)
        {
            ref float l = ref Unsafe.Add(ref src, q * V);
            var v0 = At(ref l, 0); var v1 = At(ref l, 1); var v2 = At(ref l, 2); var v3 = At(ref l, 3);
            var v4 = At(ref l, 4); var v5 = At(ref l, 5); var v6 = At(ref l, 6); var v7 = At(ref l, 7);
            var v8 = At(ref l, 8); var v9 = At(ref l, 9); var v10 = At(ref l, 10); var v11 = At(ref l, 11);
            var v12 = At(ref l, 12); var v13 = At(ref l, 13); var v14 = At(ref l, 14); var v15 = At(ref l, 15);
            Transpose(ref v0, ref v1, ref v2, ref v3, ref v4, ref v5, ref v6, ref v7, ref v8, ref v9, ref v10, ref v11, ref v12, ref v13, ref v14, ref v15);
            ref float d = ref Unsafe.Add(ref dst, q);
            v0.StoreUnsafe(ref d, (nuint)(0 * sampleStride)); v1.StoreUnsafe(ref d, (nuint)(1 * sampleStride));
            v2.StoreUnsafe(ref d, (nuint)(2 * sampleStride)); v3.StoreUnsafe(ref d, (nuint)(3 * sampleStride));
            v4.StoreUnsafe(ref d, (nuint)(4 * sampleStride)); v5.StoreUnsafe(ref d, (nuint)(5 * sampleStride));
            v6.StoreUnsafe(ref d, (nuint)(6 * sampleStride)); v7.StoreUnsafe(ref d, (nuint)(7 * sampleStride));
            v8.StoreUnsafe(ref d, (nuint)(8 * sampleStride)); v9.StoreUnsafe(ref d, (nuint)(9 * sampleStride));
            v10.StoreUnsafe(ref d, (nuint)(10 * sampleStride)); v11.StoreUnsafe(ref d, (nuint)(11 * sampleStride));
            v12.StoreUnsafe(ref d, (nuint)(12 * sampleStride)); v13.StoreUnsafe(ref d, (nuint)(13 * sampleStride));
            v14.StoreUnsafe(ref d, (nuint)(14 * sampleStride)); v15.StoreUnsafe(ref d, (nuint)(15 * sampleStride));
        }
        for (; q < count; q++)
            for (int s = 0; s < V; s++)
                Unsafe.Add(ref dst, s * sampleStride + q) = Unsafe.Add(ref src, q * V + s);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Load(ref float first, int sample, int sampleStride, bool squared)
    {
        var v = Vector512.LoadUnsafe(ref first, (nuint)(sample * sampleStride));
        return squared ? v * v : v;
    }

    /// <summary>
    /// A 16x16 block transposed in registers: v_s[q] becomes v_q[s]. Four rounds, one a bit of the index: each swaps
    /// bit b of the row with bit b of the column, rows s and s + 2^b exchanging the halves of their elements whose
    /// column has that bit set (two-source permutes).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose(ref Vector512<float> v0, ref Vector512<float> v1, ref Vector512<float> v2, ref Vector512<float> v3,
        ref Vector512<float> v4, ref Vector512<float> v5, ref Vector512<float> v6, ref Vector512<float> v7,
        ref Vector512<float> v8, ref Vector512<float> v9, ref Vector512<float> v10, ref Vector512<float> v11,
        ref Vector512<float> v12, ref Vector512<float> v13, ref Vector512<float> v14, ref Vector512<float> v15)
    {
        var (l8, h8) = (Low8, High8);
        Swap(ref v0, ref v8, l8, h8); Swap(ref v1, ref v9, l8, h8); Swap(ref v2, ref v10, l8, h8); Swap(ref v3, ref v11, l8, h8);
        Swap(ref v4, ref v12, l8, h8); Swap(ref v5, ref v13, l8, h8); Swap(ref v6, ref v14, l8, h8); Swap(ref v7, ref v15, l8, h8);
        var (l4, h4) = (Low4, High4);
        Swap(ref v0, ref v4, l4, h4); Swap(ref v1, ref v5, l4, h4); Swap(ref v2, ref v6, l4, h4); Swap(ref v3, ref v7, l4, h4);
        Swap(ref v8, ref v12, l4, h4); Swap(ref v9, ref v13, l4, h4); Swap(ref v10, ref v14, l4, h4); Swap(ref v11, ref v15, l4, h4);
        var (l2, h2) = (Low2, High2);
        Swap(ref v0, ref v2, l2, h2); Swap(ref v1, ref v3, l2, h2); Swap(ref v4, ref v6, l2, h2); Swap(ref v5, ref v7, l2, h2);
        Swap(ref v8, ref v10, l2, h2); Swap(ref v9, ref v11, l2, h2); Swap(ref v12, ref v14, l2, h2); Swap(ref v13, ref v15, l2, h2);
        var (l1, h1) = (Low1, High1);
        Swap(ref v0, ref v1, l1, h1); Swap(ref v2, ref v3, l1, h1); Swap(ref v4, ref v5, l1, h1); Swap(ref v6, ref v7, l1, h1);
        Swap(ref v8, ref v9, l1, h1); Swap(ref v10, ref v11, l1, h1); Swap(ref v12, ref v13, l1, h1); Swap(ref v14, ref v15, l1, h1);
    }

    /// <summary>Row a (bit b of its index clear) and row b (set): a keeps its columns with bit b clear and takes b's others, moved down by 2^b; b the converse.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Swap(ref Vector512<float> a, ref Vector512<float> b, Vector512<int> low, Vector512<int> high)
    {
        var (na, nb) = (Avx512F.PermuteVar16x32x2(a, low, b), Avx512F.PermuteVar16x32x2(a, high, b));
        (a, b) = (na, nb);
    }

    // the two-source permutes' indices for bit m = 2^b: below 16 from the first row, from 16 the second's
    private static readonly Vector512<int> Low8 = SwapLow(8), High8 = SwapHigh(8), Low4 = SwapLow(4), High4 = SwapHigh(4);
    private static readonly Vector512<int> Low2 = SwapLow(2), High2 = SwapHigh(2), Low1 = SwapLow(1), High1 = SwapHigh(1);

    private static Vector512<int> SwapLow(int m) => Vector512.Create(
        Low(m, 0), Low(m, 1), Low(m, 2), Low(m, 3), Low(m, 4), Low(m, 5), Low(m, 6), Low(m, 7),
        Low(m, 8), Low(m, 9), Low(m, 10), Low(m, 11), Low(m, 12), Low(m, 13), Low(m, 14), Low(m, 15));

    private static Vector512<int> SwapHigh(int m) => Vector512.Create(
        High(m, 0), High(m, 1), High(m, 2), High(m, 3), High(m, 4), High(m, 5), High(m, 6), High(m, 7),
        High(m, 8), High(m, 9), High(m, 10), High(m, 11), High(m, 12), High(m, 13), High(m, 14), High(m, 15));

    private static int Low(int m, int q) => (q & m) == 0 ? q : V + (q ^ m);
    private static int High(int m, int q) => (q & m) == 0 ? q ^ m : V + q;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> At(ref float plane, int position) => Vector512.LoadUnsafe(ref plane, (nuint)(position * V));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(ref float row, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3, Vector512<float> v4,
        Vector512<float> v5, Vector512<float> v6, Vector512<float> v7, Vector512<float> v8, Vector512<float> v9)
    {
        v0.StoreUnsafe(ref row, 0 * V); v1.StoreUnsafe(ref row, 1 * V); v2.StoreUnsafe(ref row, 2 * V); v3.StoreUnsafe(ref row, 3 * V); v4.StoreUnsafe(ref row, 4 * V);
        v5.StoreUnsafe(ref row, 5 * V); v6.StoreUnsafe(ref row, 6 * V); v7.StoreUnsafe(ref row, 7 * V); v8.StoreUnsafe(ref row, 8 * V); v9.StoreUnsafe(ref row, 9 * V);
    }

    /// <summary>The vector sums of kernel row r (taps 5r + c) added into a kernel's accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddRow(Span<float> accumulators, int start, int r,
        Vector512<float> a0, Vector512<float> a1, Vector512<float> a2, Vector512<float> a3, Vector512<float> a4)
    {
        ref float acc = ref Unsafe.Add(ref MemoryMarshal.GetReference(accumulators), start + r * K * V);
        Add(ref acc, 0, a0); Add(ref acc, 1, a1); Add(ref acc, 2, a2); Add(ref acc, 3, a3); Add(ref acc, 4, a4);
        static void Add(ref float acc, int c, Vector512<float> sum)
        {
            nuint at = (nuint)(c * V);
            (Vector512.LoadUnsafe(ref acc, at) + sum).StoreUnsafe(ref acc, at);
        }
    }
}
