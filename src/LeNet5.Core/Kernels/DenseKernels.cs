using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LeNet5.Core.Kernels;

/// <summary>
/// AVX-512 register blocks for the dense products of <see cref="Dense"/>, each over a range of the
/// inputs k: a 4x4 block of dot products (4 samples by 4 outputs: 8 loads feed 16 FMAs), a 1x8 one for
/// a single sample, the column sums of a single sample over the transposed weights, and the
/// outer-product update of the backward pass (4 or 8 rows of dW or of dx, three
/// vectors of each, held in registers while the other operand streams past). Callers run them on whole
/// blocks and leave the edges to plain code.
/// </summary>
internal static class DenseKernels
{
    private const int V = 16, H = V / 2;

    /// <summary>Eight floats in the low half of a vector, zero above: a last half vector's terms leave the sums' upper lanes alone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Half(ref float at, nuint offset) => Vector256.LoadUnsafe(ref at, offset).ToVector512();

    /// <summary>sums[i*4 + j] = sum_{k in [k0,k1)} x[s+i, k] w[o+j, k] for the 4x4 block at (s, o).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dot4x4(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int inputs, int s, int o, int k0, int k1, Span<float> sums)
    {
        ref float xr = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), s * inputs);
        ref float wr = ref Unsafe.Add(ref MemoryMarshal.GetReference(w), o * inputs);
        nuint r1 = (nuint)inputs, r2 = 2 * r1, r3 = 3 * r1;
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        int k = k0;
        for (; k + V <= k1; k += V)
        {
            nuint at = (nuint)k;
            var x0 = Vector512.LoadUnsafe(ref xr, at);
            var x1 = Vector512.LoadUnsafe(ref xr, at + r1);
            var x2 = Vector512.LoadUnsafe(ref xr, at + r2);
            var x3 = Vector512.LoadUnsafe(ref xr, at + r3);
            var w0 = Vector512.LoadUnsafe(ref wr, at);
            var w1 = Vector512.LoadUnsafe(ref wr, at + r1);
            var w2 = Vector512.LoadUnsafe(ref wr, at + r2);
            var w3 = Vector512.LoadUnsafe(ref wr, at + r3);
            // a_ij += x_i w_j: 8 vectors in registers feed 16 FMAs (24 of the 32 zmm registers)
            a00 = Vector512.FusedMultiplyAdd(x0, w0, a00); a01 = Vector512.FusedMultiplyAdd(x0, w1, a01); a02 = Vector512.FusedMultiplyAdd(x0, w2, a02); a03 = Vector512.FusedMultiplyAdd(x0, w3, a03);
            a10 = Vector512.FusedMultiplyAdd(x1, w0, a10); a11 = Vector512.FusedMultiplyAdd(x1, w1, a11); a12 = Vector512.FusedMultiplyAdd(x1, w2, a12); a13 = Vector512.FusedMultiplyAdd(x1, w3, a13);
            a20 = Vector512.FusedMultiplyAdd(x2, w0, a20); a21 = Vector512.FusedMultiplyAdd(x2, w1, a21); a22 = Vector512.FusedMultiplyAdd(x2, w2, a22); a23 = Vector512.FusedMultiplyAdd(x2, w3, a23);
            a30 = Vector512.FusedMultiplyAdd(x3, w0, a30); a31 = Vector512.FusedMultiplyAdd(x3, w1, a31); a32 = Vector512.FusedMultiplyAdd(x3, w2, a32); a33 = Vector512.FusedMultiplyAdd(x3, w3, a33);
        }
        if (k + H <= k1)
        {
            // a last half vector (F6's 120 inputs are 7.5 vectors): 256-bit loads, zero above, on the same sums
            nuint at = (nuint)k;
            var x0 = Half(ref xr, at); var x1 = Half(ref xr, at + r1); var x2 = Half(ref xr, at + r2); var x3 = Half(ref xr, at + r3);
            var w0 = Half(ref wr, at); var w1 = Half(ref wr, at + r1); var w2 = Half(ref wr, at + r2); var w3 = Half(ref wr, at + r3);
            a00 = Vector512.FusedMultiplyAdd(x0, w0, a00); a01 = Vector512.FusedMultiplyAdd(x0, w1, a01); a02 = Vector512.FusedMultiplyAdd(x0, w2, a02); a03 = Vector512.FusedMultiplyAdd(x0, w3, a03);
            a10 = Vector512.FusedMultiplyAdd(x1, w0, a10); a11 = Vector512.FusedMultiplyAdd(x1, w1, a11); a12 = Vector512.FusedMultiplyAdd(x1, w2, a12); a13 = Vector512.FusedMultiplyAdd(x1, w3, a13);
            a20 = Vector512.FusedMultiplyAdd(x2, w0, a20); a21 = Vector512.FusedMultiplyAdd(x2, w1, a21); a22 = Vector512.FusedMultiplyAdd(x2, w2, a22); a23 = Vector512.FusedMultiplyAdd(x2, w3, a23);
            a30 = Vector512.FusedMultiplyAdd(x3, w0, a30); a31 = Vector512.FusedMultiplyAdd(x3, w1, a31); a32 = Vector512.FusedMultiplyAdd(x3, w2, a32); a33 = Vector512.FusedMultiplyAdd(x3, w3, a33);
            k += H;
        }
        sums[0] = Vector512.Sum(a00); sums[1] = Vector512.Sum(a01); sums[2] = Vector512.Sum(a02); sums[3] = Vector512.Sum(a03);
        sums[4] = Vector512.Sum(a10); sums[5] = Vector512.Sum(a11); sums[6] = Vector512.Sum(a12); sums[7] = Vector512.Sum(a13);
        sums[8] = Vector512.Sum(a20); sums[9] = Vector512.Sum(a21); sums[10] = Vector512.Sum(a22); sums[11] = Vector512.Sum(a23);
        sums[12] = Vector512.Sum(a30); sums[13] = Vector512.Sum(a31); sums[14] = Vector512.Sum(a32); sums[15] = Vector512.Sum(a33);
        for (; k < k1; k++)
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    sums[i * 4 + j] += Unsafe.Add(ref xr, i * inputs + k) * Unsafe.Add(ref wr, j * inputs + k);
    }

    /// <summary>
    /// sums[j] = sum_{k in [k0,k1)} x[s, k] w[o+j, k] for the 8 outputs from o: one sample's matrix-vector
    /// product (a batch of one, as a single prediction runs), 8 chains so the FMA latency stays hidden.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Dot1x8(ReadOnlySpan<float> x, ReadOnlySpan<float> w, int inputs, int s, int o, int k0, int k1, Span<float> sums)
    {
        ref float xr = ref Unsafe.Add(ref MemoryMarshal.GetReference(x), s * inputs);
        ref float wr = ref Unsafe.Add(ref MemoryMarshal.GetReference(w), o * inputs);
        nuint r = (nuint)inputs;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        Vector512<float> b0 = default, b1 = default, b2 = default, b3 = default, b4 = default, b5 = default, b6 = default, b7 = default;
        int k = k0;
        // two vectors of each row a step: sixteen loads in flight, as the weights stream in from L2
        for (; k + 2 * V <= k1; k += 2 * V)
        {
            nuint at = (nuint)k, bt = at + V;
            var xa = Vector512.LoadUnsafe(ref xr, at);
            var xb = Vector512.LoadUnsafe(ref xr, bt);
            a0 = Vector512.FusedMultiplyAdd(xa, Vector512.LoadUnsafe(ref wr, at), a0); b0 = Vector512.FusedMultiplyAdd(xb, Vector512.LoadUnsafe(ref wr, bt), b0);
            a1 = Vector512.FusedMultiplyAdd(xa, Vector512.LoadUnsafe(ref wr, at + r), a1); b1 = Vector512.FusedMultiplyAdd(xb, Vector512.LoadUnsafe(ref wr, bt + r), b1);
            a2 = Vector512.FusedMultiplyAdd(xa, Vector512.LoadUnsafe(ref wr, at + 2 * r), a2); b2 = Vector512.FusedMultiplyAdd(xb, Vector512.LoadUnsafe(ref wr, bt + 2 * r), b2);
            a3 = Vector512.FusedMultiplyAdd(xa, Vector512.LoadUnsafe(ref wr, at + 3 * r), a3); b3 = Vector512.FusedMultiplyAdd(xb, Vector512.LoadUnsafe(ref wr, bt + 3 * r), b3);
            a4 = Vector512.FusedMultiplyAdd(xa, Vector512.LoadUnsafe(ref wr, at + 4 * r), a4); b4 = Vector512.FusedMultiplyAdd(xb, Vector512.LoadUnsafe(ref wr, bt + 4 * r), b4);
            a5 = Vector512.FusedMultiplyAdd(xa, Vector512.LoadUnsafe(ref wr, at + 5 * r), a5); b5 = Vector512.FusedMultiplyAdd(xb, Vector512.LoadUnsafe(ref wr, bt + 5 * r), b5);
            a6 = Vector512.FusedMultiplyAdd(xa, Vector512.LoadUnsafe(ref wr, at + 6 * r), a6); b6 = Vector512.FusedMultiplyAdd(xb, Vector512.LoadUnsafe(ref wr, bt + 6 * r), b6);
            a7 = Vector512.FusedMultiplyAdd(xa, Vector512.LoadUnsafe(ref wr, at + 7 * r), a7); b7 = Vector512.FusedMultiplyAdd(xb, Vector512.LoadUnsafe(ref wr, bt + 7 * r), b7);
        }
        a0 += b0; a1 += b1; a2 += b2; a3 += b3; a4 += b4; a5 += b5; a6 += b6; a7 += b7;
        for (; k + V <= k1; k += V)
        {
            nuint at = (nuint)k;
            var xv = Vector512.LoadUnsafe(ref xr, at);
            a0 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref wr, at), a0);
            a1 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref wr, at + r), a1);
            a2 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref wr, at + 2 * r), a2);
            a3 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref wr, at + 3 * r), a3);
            a4 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref wr, at + 4 * r), a4);
            a5 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref wr, at + 5 * r), a5);
            a6 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref wr, at + 6 * r), a6);
            a7 = Vector512.FusedMultiplyAdd(xv, Vector512.LoadUnsafe(ref wr, at + 7 * r), a7);
        }
        sums[0] = Vector512.Sum(a0); sums[1] = Vector512.Sum(a1); sums[2] = Vector512.Sum(a2); sums[3] = Vector512.Sum(a3);
        sums[4] = Vector512.Sum(a4); sums[5] = Vector512.Sum(a5); sums[6] = Vector512.Sum(a6); sums[7] = Vector512.Sum(a7);
        for (; k < k1; k++)
            for (int j = 0; j < 8; j++)
                sums[j] += Unsafe.Add(ref xr, k) * Unsafe.Add(ref wr, j * inputs + k);
    }

    /// <summary>
    /// result[j] = columns[inputs * stride + column + j] + sum_{k &lt; inputs} x[k] columns[k * stride + column + j] for the
    /// 16 TColumns.Vectors (up to 8) outputs from <paramref name="column"/>: one sample's y = W x + b read from Wᵀ, whose row
    /// k holds every output's weight of input k and whose last row holds the biases (<see cref="Dense.Pack"/>). A batch of one
    /// then streams the weights once, in order, with no sum across a vector's lanes at the end. (Two sets of sums, for even
    /// and odd k, measured slower on Zen 5: C5's 200 KB stream from L2, not the FMA latency, sets the pace.)
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ColumnSums<TColumns>(ReadOnlySpan<float> columns, int stride, int column, ReadOnlySpan<float> x, int inputs, Span<float> result)
        where TColumns : struct, IWidth
    {
        int N = TColumns.Vectors;
        if (N > 8) throw new ArgumentOutOfRangeException(nameof(TColumns), "at most 8 vectors of outputs fit the registers");
        if (x.Length < inputs || result.Length < N * V || columns.Length < inputs * stride + column + N * V)
            throw new ArgumentException("buffers too short for the column sums");
        ref float w = ref Unsafe.Add(ref MemoryMarshal.GetReference(columns), column);
        ref float xr = ref MemoryMarshal.GetReference(x);
        nuint rs = (nuint)stride;
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default, a6 = default, a7 = default;
        ref float bias = ref Unsafe.Add(ref w, (nuint)inputs * rs);
        if (N > 0) a0 = Vector512.LoadUnsafe(ref bias, 0 * V); if (N > 1) a1 = Vector512.LoadUnsafe(ref bias, 1 * V);
        if (N > 2) a2 = Vector512.LoadUnsafe(ref bias, 2 * V); if (N > 3) a3 = Vector512.LoadUnsafe(ref bias, 3 * V);
        if (N > 4) a4 = Vector512.LoadUnsafe(ref bias, 4 * V); if (N > 5) a5 = Vector512.LoadUnsafe(ref bias, 5 * V);
        if (N > 6) a6 = Vector512.LoadUnsafe(ref bias, 6 * V); if (N > 7) a7 = Vector512.LoadUnsafe(ref bias, 7 * V);
        for (int k = 0; k < inputs; k++)
        {
            // every output's sum takes input k: one broadcast, N contiguous loads of row k of Wᵀ
            ref float row = ref Unsafe.Add(ref w, (nuint)k * rs);
            var xk = Vector512.Create(Unsafe.Add(ref xr, k));
            if (N > 0) a0 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref row, 0 * V), a0);
            if (N > 1) a1 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref row, 1 * V), a1);
            if (N > 2) a2 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref row, 2 * V), a2);
            if (N > 3) a3 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref row, 3 * V), a3);
            if (N > 4) a4 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref row, 4 * V), a4);
            if (N > 5) a5 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref row, 5 * V), a5);
            if (N > 6) a6 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref row, 6 * V), a6);
            if (N > 7) a7 = Vector512.FusedMultiplyAdd(xk, Vector512.LoadUnsafe(ref row, 7 * V), a7);
        }
        ref float r = ref MemoryMarshal.GetReference(result);
        if (N > 0) a0.StoreUnsafe(ref r, 0 * V); if (N > 1) a1.StoreUnsafe(ref r, 1 * V);
        if (N > 2) a2.StoreUnsafe(ref r, 2 * V); if (N > 3) a3.StoreUnsafe(ref r, 3 * V);
        if (N > 4) a4.StoreUnsafe(ref r, 4 * V); if (N > 5) a5.StoreUnsafe(ref r, 5 * V);
        if (N > 6) a6.StoreUnsafe(ref r, 6 * V); if (N > 7) a7.StoreUnsafe(ref r, 7 * V);
    }

    /// <summary>
    /// target[r, k] += sum_{m &lt; count} coef[m * coefStride + r] * source[m * sourceStride + k - sourceShift] for the
    /// TRows.Vectors (up to 8) target rows starting at row <paramref name="row"/> and k in [k0, k1) (whole vectors only;
    /// and a last half vector; returns where it stopped). dW: target = dW (rows = outputs), source = x, coef = dy. dx: target = dx (rows = samples),
    /// source = W, coef = dy transposed. Three vectors of each row are held in registers (24 chains for 8 rows), so a
    /// coefficient loaded once feeds three FMAs and a source vector loaded once feeds one FMA a row: the more rows, the less
    /// often the source block streams in from L2. Each target element takes the same multiply-adds in the same order
    /// whatever the number of rows, so the result does not depend on how the caller splits the rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int OuterProduct<TRows>(Span<float> target, int targetStride, int row, ReadOnlySpan<float> source, int sourceStride,
        ReadOnlySpan<float> coef, int coefRowStride, int coefColStride, int count, int k0, int k1, int sourceShift = 0)
        where TRows : struct, IWidth
    {
        int N = TRows.Vectors;
        if (N > 8) throw new ArgumentOutOfRangeException(nameof(TRows), "at most 8 rows fit the registers");
        ref float t = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row * targetStride);
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float cf = ref MemoryMarshal.GetReference(coef);
        nuint ts = (nuint)targetStride;
        int end = k0 + (k1 - k0) / V * V;
        int k = k0;
        for (; k + 3 * V <= end; k += 3 * V)
        {
            // t{i}{j}: vector j of target row i
            ref float at = ref Unsafe.Add(ref t, k);
            Vector512<float> t00 = default, t01 = default, t02 = default, t10 = default, t11 = default, t12 = default, t20 = default, t21 = default, t22 = default;
            Vector512<float> t30 = default, t31 = default, t32 = default, t40 = default, t41 = default, t42 = default, t50 = default, t51 = default, t52 = default;
            Vector512<float> t60 = default, t61 = default, t62 = default, t70 = default, t71 = default, t72 = default;
            if (N > 0) Load3(ref at, 0 * ts, out t00, out t01, out t02);
            if (N > 1) Load3(ref at, 1 * ts, out t10, out t11, out t12);
            if (N > 2) Load3(ref at, 2 * ts, out t20, out t21, out t22);
            if (N > 3) Load3(ref at, 3 * ts, out t30, out t31, out t32);
            if (N > 4) Load3(ref at, 4 * ts, out t40, out t41, out t42);
            if (N > 5) Load3(ref at, 5 * ts, out t50, out t51, out t52);
            if (N > 6) Load3(ref at, 6 * ts, out t60, out t61, out t62);
            if (N > 7) Load3(ref at, 7 * ts, out t70, out t71, out t72);
            for (int m = 0; m < count; m++)
            {
                nuint from = (nuint)(m * sourceStride + k - sourceShift);
                var s0 = Vector512.LoadUnsafe(ref src, from);
                var s1 = Vector512.LoadUnsafe(ref src, from + V);
                var s2 = Vector512.LoadUnsafe(ref src, from + 2 * V);
                ref float c = ref Unsafe.Add(ref cf, m * coefRowStride + row * coefColStride);
                if (N > 0) Fma3(Unsafe.Add(ref c, 0 * coefColStride), s0, s1, s2, ref t00, ref t01, ref t02);
                if (N > 1) Fma3(Unsafe.Add(ref c, 1 * coefColStride), s0, s1, s2, ref t10, ref t11, ref t12);
                if (N > 2) Fma3(Unsafe.Add(ref c, 2 * coefColStride), s0, s1, s2, ref t20, ref t21, ref t22);
                if (N > 3) Fma3(Unsafe.Add(ref c, 3 * coefColStride), s0, s1, s2, ref t30, ref t31, ref t32);
                if (N > 4) Fma3(Unsafe.Add(ref c, 4 * coefColStride), s0, s1, s2, ref t40, ref t41, ref t42);
                if (N > 5) Fma3(Unsafe.Add(ref c, 5 * coefColStride), s0, s1, s2, ref t50, ref t51, ref t52);
                if (N > 6) Fma3(Unsafe.Add(ref c, 6 * coefColStride), s0, s1, s2, ref t60, ref t61, ref t62);
                if (N > 7) Fma3(Unsafe.Add(ref c, 7 * coefColStride), s0, s1, s2, ref t70, ref t71, ref t72);
            }
            if (N > 0) Store3(ref at, 0 * ts, t00, t01, t02);
            if (N > 1) Store3(ref at, 1 * ts, t10, t11, t12);
            if (N > 2) Store3(ref at, 2 * ts, t20, t21, t22);
            if (N > 3) Store3(ref at, 3 * ts, t30, t31, t32);
            if (N > 4) Store3(ref at, 4 * ts, t40, t41, t42);
            if (N > 5) Store3(ref at, 5 * ts, t50, t51, t52);
            if (N > 6) Store3(ref at, 6 * ts, t60, t61, t62);
            if (N > 7) Store3(ref at, 7 * ts, t70, t71, t72);
        }
        for (; k < end; k += V)
        {
            // one vector of each row: the last one or two before the edge
            ref float at = ref Unsafe.Add(ref t, k);
            Vector512<float> t0 = default, t1 = default, t2 = default, t3 = default, t4 = default, t5 = default, t6 = default, t7 = default;
            if (N > 0) t0 = Vector512.LoadUnsafe(ref at, 0 * ts); if (N > 1) t1 = Vector512.LoadUnsafe(ref at, 1 * ts);
            if (N > 2) t2 = Vector512.LoadUnsafe(ref at, 2 * ts); if (N > 3) t3 = Vector512.LoadUnsafe(ref at, 3 * ts);
            if (N > 4) t4 = Vector512.LoadUnsafe(ref at, 4 * ts); if (N > 5) t5 = Vector512.LoadUnsafe(ref at, 5 * ts);
            if (N > 6) t6 = Vector512.LoadUnsafe(ref at, 6 * ts); if (N > 7) t7 = Vector512.LoadUnsafe(ref at, 7 * ts);
            for (int m = 0; m < count; m++)
            {
                var sv = Vector512.LoadUnsafe(ref src, (nuint)(m * sourceStride + k - sourceShift));
                ref float c = ref Unsafe.Add(ref cf, m * coefRowStride + row * coefColStride);
                if (N > 0) t0 = Vector512.FusedMultiplyAdd(Vector512.Create(c), sv, t0);
                if (N > 1) t1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 1 * coefColStride)), sv, t1);
                if (N > 2) t2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 2 * coefColStride)), sv, t2);
                if (N > 3) t3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 3 * coefColStride)), sv, t3);
                if (N > 4) t4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 4 * coefColStride)), sv, t4);
                if (N > 5) t5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 5 * coefColStride)), sv, t5);
                if (N > 6) t6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 6 * coefColStride)), sv, t6);
                if (N > 7) t7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 7 * coefColStride)), sv, t7);
            }
            if (N > 0) t0.StoreUnsafe(ref at, 0 * ts); if (N > 1) t1.StoreUnsafe(ref at, 1 * ts);
            if (N > 2) t2.StoreUnsafe(ref at, 2 * ts); if (N > 3) t3.StoreUnsafe(ref at, 3 * ts);
            if (N > 4) t4.StoreUnsafe(ref at, 4 * ts); if (N > 5) t5.StoreUnsafe(ref at, 5 * ts);
            if (N > 6) t6.StoreUnsafe(ref at, 6 * ts); if (N > 7) t7.StoreUnsafe(ref at, 7 * ts);
        }
        if (end + H <= k1)
        {
            // a last half vector of each row (F6's 120 inputs are 7.5 vectors): 256-bit loads and stores
            ref float at = ref Unsafe.Add(ref t, end);
            Vector256<float> t0 = default, t1 = default, t2 = default, t3 = default, t4 = default, t5 = default, t6 = default, t7 = default;
            if (N > 0) t0 = Vector256.LoadUnsafe(ref at, 0 * ts); if (N > 1) t1 = Vector256.LoadUnsafe(ref at, 1 * ts);
            if (N > 2) t2 = Vector256.LoadUnsafe(ref at, 2 * ts); if (N > 3) t3 = Vector256.LoadUnsafe(ref at, 3 * ts);
            if (N > 4) t4 = Vector256.LoadUnsafe(ref at, 4 * ts); if (N > 5) t5 = Vector256.LoadUnsafe(ref at, 5 * ts);
            if (N > 6) t6 = Vector256.LoadUnsafe(ref at, 6 * ts); if (N > 7) t7 = Vector256.LoadUnsafe(ref at, 7 * ts);
            for (int m = 0; m < count; m++)
            {
                var sv = Vector256.LoadUnsafe(ref src, (nuint)(m * sourceStride + end - sourceShift));
                ref float c = ref Unsafe.Add(ref cf, m * coefRowStride + row * coefColStride);
                if (N > 0) t0 = Vector256.FusedMultiplyAdd(Vector256.Create(c), sv, t0);
                if (N > 1) t1 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref c, 1 * coefColStride)), sv, t1);
                if (N > 2) t2 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref c, 2 * coefColStride)), sv, t2);
                if (N > 3) t3 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref c, 3 * coefColStride)), sv, t3);
                if (N > 4) t4 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref c, 4 * coefColStride)), sv, t4);
                if (N > 5) t5 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref c, 5 * coefColStride)), sv, t5);
                if (N > 6) t6 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref c, 6 * coefColStride)), sv, t6);
                if (N > 7) t7 = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref c, 7 * coefColStride)), sv, t7);
            }
            if (N > 0) t0.StoreUnsafe(ref at, 0 * ts); if (N > 1) t1.StoreUnsafe(ref at, 1 * ts);
            if (N > 2) t2.StoreUnsafe(ref at, 2 * ts); if (N > 3) t3.StoreUnsafe(ref at, 3 * ts);
            if (N > 4) t4.StoreUnsafe(ref at, 4 * ts); if (N > 5) t5.StoreUnsafe(ref at, 5 * ts);
            if (N > 6) t6.StoreUnsafe(ref at, 6 * ts); if (N > 7) t7.StoreUnsafe(ref at, 7 * ts);
            end += H;
        }
        return end;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load3(ref float at, nuint offset, out Vector512<float> a, out Vector512<float> b, out Vector512<float> c)
    {
        a = Vector512.LoadUnsafe(ref at, offset);
        b = Vector512.LoadUnsafe(ref at, offset + V);
        c = Vector512.LoadUnsafe(ref at, offset + 2 * V);
    }

    /// <summary>The three vectors of one target row each take coefficient times their source vector.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Fma3(float coefficient, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2,
        ref Vector512<float> a, ref Vector512<float> b, ref Vector512<float> c)
    {
        var cv = Vector512.Create(coefficient);
        a = Vector512.FusedMultiplyAdd(cv, s0, a);
        b = Vector512.FusedMultiplyAdd(cv, s1, b);
        c = Vector512.FusedMultiplyAdd(cv, s2, c);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store3(ref float at, nuint offset, Vector512<float> a, Vector512<float> b, Vector512<float> c)
    {
        a.StoreUnsafe(ref at, offset);
        b.StoreUnsafe(ref at, offset + V);
        c.StoreUnsafe(ref at, offset + 2 * V);
    }
}
