using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LeNet5.Core.Kernels;

/// <summary>
/// AVX-512 register blocks for the dense products of <see cref="Dense"/>, each over a range of the
/// inputs k: a 4x4 block of dot products (4 samples by 4 outputs: 8 loads feed 16 FMAs), and the two
/// outer-product updates of the backward pass (4 rows of dW or of dx, three vectors of each, held in
/// registers while the other operand streams past). Callers run them on whole blocks and leave the edges to plain code.
/// </summary>
internal static class DenseKernels
{
    private const int V = 16;

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
    /// target[r, k] += sum_{m &lt; count} coef[m * coefStride + r] * source[m * sourceStride + k - sourceShift] for the
    /// 4 target rows starting at row <paramref name="row"/> and k in [k0, k1) (whole vectors only; returns where it stopped).
    /// dW: target = dW (rows = outputs), source = x, coef = dy. dx: target = dx (rows = samples), source = W, coef = dy transposed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int OuterProduct4(Span<float> target, int targetStride, int row, ReadOnlySpan<float> source, int sourceStride,
        ReadOnlySpan<float> coef, int coefRowStride, int coefColStride, int count, int k0, int k1, int sourceShift = 0)
    {
        ref float t = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row * targetStride);
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float cf = ref MemoryMarshal.GetReference(coef);
        nuint r1 = (nuint)targetStride, r2 = 2 * r1, r3 = 3 * r1;
        int end = k0 + (k1 - k0) / V * V;
        int k = k0;
        // three vectors of each row at once: twelve chains, and a coefficient loaded once feeds three FMAs
        for (; k + 3 * V <= end; k += 3 * V)
        {
            nuint at = (nuint)k;
            var t00 = Vector512.LoadUnsafe(ref t, at); var t01 = Vector512.LoadUnsafe(ref t, at + V); var t02 = Vector512.LoadUnsafe(ref t, at + 2 * V);
            var t10 = Vector512.LoadUnsafe(ref t, at + r1); var t11 = Vector512.LoadUnsafe(ref t, at + r1 + V); var t12 = Vector512.LoadUnsafe(ref t, at + r1 + 2 * V);
            var t20 = Vector512.LoadUnsafe(ref t, at + r2); var t21 = Vector512.LoadUnsafe(ref t, at + r2 + V); var t22 = Vector512.LoadUnsafe(ref t, at + r2 + 2 * V);
            var t30 = Vector512.LoadUnsafe(ref t, at + r3); var t31 = Vector512.LoadUnsafe(ref t, at + r3 + V); var t32 = Vector512.LoadUnsafe(ref t, at + r3 + 2 * V);
            for (int m = 0; m < count; m++)
            {
                nuint from = (nuint)(m * sourceStride + k - sourceShift);
                var s0 = Vector512.LoadUnsafe(ref src, from);
                var s1 = Vector512.LoadUnsafe(ref src, from + V);
                var s2 = Vector512.LoadUnsafe(ref src, from + 2 * V);
                ref float c = ref Unsafe.Add(ref cf, m * coefRowStride + row * coefColStride);
                var c0 = Vector512.Create(c);
                var c1 = Vector512.Create(Unsafe.Add(ref c, coefColStride));
                var c2 = Vector512.Create(Unsafe.Add(ref c, 2 * coefColStride));
                var c3 = Vector512.Create(Unsafe.Add(ref c, 3 * coefColStride));
                t00 = Vector512.FusedMultiplyAdd(c0, s0, t00); t01 = Vector512.FusedMultiplyAdd(c0, s1, t01); t02 = Vector512.FusedMultiplyAdd(c0, s2, t02);
                t10 = Vector512.FusedMultiplyAdd(c1, s0, t10); t11 = Vector512.FusedMultiplyAdd(c1, s1, t11); t12 = Vector512.FusedMultiplyAdd(c1, s2, t12);
                t20 = Vector512.FusedMultiplyAdd(c2, s0, t20); t21 = Vector512.FusedMultiplyAdd(c2, s1, t21); t22 = Vector512.FusedMultiplyAdd(c2, s2, t22);
                t30 = Vector512.FusedMultiplyAdd(c3, s0, t30); t31 = Vector512.FusedMultiplyAdd(c3, s1, t31); t32 = Vector512.FusedMultiplyAdd(c3, s2, t32);
            }
            t00.StoreUnsafe(ref t, at); t01.StoreUnsafe(ref t, at + V); t02.StoreUnsafe(ref t, at + 2 * V);
            t10.StoreUnsafe(ref t, at + r1); t11.StoreUnsafe(ref t, at + r1 + V); t12.StoreUnsafe(ref t, at + r1 + 2 * V);
            t20.StoreUnsafe(ref t, at + r2); t21.StoreUnsafe(ref t, at + r2 + V); t22.StoreUnsafe(ref t, at + r2 + 2 * V);
            t30.StoreUnsafe(ref t, at + r3); t31.StoreUnsafe(ref t, at + r3 + V); t32.StoreUnsafe(ref t, at + r3 + 2 * V);
        }
        for (; k < end; k += V)
        {
            nuint at = (nuint)k;
            var t0 = Vector512.LoadUnsafe(ref t, at);
            var t1 = Vector512.LoadUnsafe(ref t, at + r1);
            var t2 = Vector512.LoadUnsafe(ref t, at + r2);
            var t3 = Vector512.LoadUnsafe(ref t, at + r3);
            for (int m = 0; m < count; m++)
            {
                var sv = Vector512.LoadUnsafe(ref src, (nuint)(m * sourceStride + k - sourceShift));
                ref float c = ref Unsafe.Add(ref cf, m * coefRowStride + row * coefColStride);
                t0 = Vector512.FusedMultiplyAdd(Vector512.Create(c), sv, t0);
                t1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, coefColStride)), sv, t1);
                t2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 2 * coefColStride)), sv, t2);
                t3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 3 * coefColStride)), sv, t3);
            }
            t0.StoreUnsafe(ref t, at);
            t1.StoreUnsafe(ref t, at + r1);
            t2.StoreUnsafe(ref t, at + r2);
            t3.StoreUnsafe(ref t, at + r3);
        }
        return end;
    }

    /// <summary>
    /// <see cref="OuterProduct4"/> for 8 target rows: 24 chains, and a source vector loaded once
    /// feeds eight FMAs, so the source block streams from L2 half as often (the ablations'
    /// 48,000-input layers: dW 1.35-1.5x and dx 1.2-1.35x the 4-row block's rate, one thread). Each
    /// target element takes the same multiply-adds in the same order as in the 4-row block.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int OuterProduct8(Span<float> target, int targetStride, int row, ReadOnlySpan<float> source, int sourceStride,
        ReadOnlySpan<float> coef, int coefRowStride, int coefColStride, int count, int k0, int k1, int sourceShift = 0)
    {
        ref float t = ref Unsafe.Add(ref MemoryMarshal.GetReference(target), row * targetStride);
        ref float src = ref MemoryMarshal.GetReference(source);
        ref float cf = ref MemoryMarshal.GetReference(coef);
        nuint ts = (nuint)targetStride;
        int end = k0 + (k1 - k0) / V * V;
        int k = k0;
        for (; k + 3 * V <= end; k += 3 * V)
        {
            nuint at = (nuint)k;
            var t00 = Vector512.LoadUnsafe(ref t, at + 0 * ts + 0); var t01 = Vector512.LoadUnsafe(ref t, at + 0 * ts + 16); var t02 = Vector512.LoadUnsafe(ref t, at + 0 * ts + 32);
            var t10 = Vector512.LoadUnsafe(ref t, at + 1 * ts + 0); var t11 = Vector512.LoadUnsafe(ref t, at + 1 * ts + 16); var t12 = Vector512.LoadUnsafe(ref t, at + 1 * ts + 32);
            var t20 = Vector512.LoadUnsafe(ref t, at + 2 * ts + 0); var t21 = Vector512.LoadUnsafe(ref t, at + 2 * ts + 16); var t22 = Vector512.LoadUnsafe(ref t, at + 2 * ts + 32);
            var t30 = Vector512.LoadUnsafe(ref t, at + 3 * ts + 0); var t31 = Vector512.LoadUnsafe(ref t, at + 3 * ts + 16); var t32 = Vector512.LoadUnsafe(ref t, at + 3 * ts + 32);
            var t40 = Vector512.LoadUnsafe(ref t, at + 4 * ts + 0); var t41 = Vector512.LoadUnsafe(ref t, at + 4 * ts + 16); var t42 = Vector512.LoadUnsafe(ref t, at + 4 * ts + 32);
            var t50 = Vector512.LoadUnsafe(ref t, at + 5 * ts + 0); var t51 = Vector512.LoadUnsafe(ref t, at + 5 * ts + 16); var t52 = Vector512.LoadUnsafe(ref t, at + 5 * ts + 32);
            var t60 = Vector512.LoadUnsafe(ref t, at + 6 * ts + 0); var t61 = Vector512.LoadUnsafe(ref t, at + 6 * ts + 16); var t62 = Vector512.LoadUnsafe(ref t, at + 6 * ts + 32);
            var t70 = Vector512.LoadUnsafe(ref t, at + 7 * ts + 0); var t71 = Vector512.LoadUnsafe(ref t, at + 7 * ts + 16); var t72 = Vector512.LoadUnsafe(ref t, at + 7 * ts + 32);
            for (int m = 0; m < count; m++)
            {
                nuint from = (nuint)(m * sourceStride + k - sourceShift);
                var s0 = Vector512.LoadUnsafe(ref src, from);
                var s1 = Vector512.LoadUnsafe(ref src, from + V);
                var s2 = Vector512.LoadUnsafe(ref src, from + 2 * V);
                ref float c = ref Unsafe.Add(ref cf, m * coefRowStride + row * coefColStride);
                { var c0 = Vector512.Create(c); t00 = Vector512.FusedMultiplyAdd(c0, s0, t00); t01 = Vector512.FusedMultiplyAdd(c0, s1, t01); t02 = Vector512.FusedMultiplyAdd(c0, s2, t02); }
                { var c1 = Vector512.Create(Unsafe.Add(ref c, 1 * coefColStride)); t10 = Vector512.FusedMultiplyAdd(c1, s0, t10); t11 = Vector512.FusedMultiplyAdd(c1, s1, t11); t12 = Vector512.FusedMultiplyAdd(c1, s2, t12); }
                { var c2 = Vector512.Create(Unsafe.Add(ref c, 2 * coefColStride)); t20 = Vector512.FusedMultiplyAdd(c2, s0, t20); t21 = Vector512.FusedMultiplyAdd(c2, s1, t21); t22 = Vector512.FusedMultiplyAdd(c2, s2, t22); }
                { var c3 = Vector512.Create(Unsafe.Add(ref c, 3 * coefColStride)); t30 = Vector512.FusedMultiplyAdd(c3, s0, t30); t31 = Vector512.FusedMultiplyAdd(c3, s1, t31); t32 = Vector512.FusedMultiplyAdd(c3, s2, t32); }
                { var c4 = Vector512.Create(Unsafe.Add(ref c, 4 * coefColStride)); t40 = Vector512.FusedMultiplyAdd(c4, s0, t40); t41 = Vector512.FusedMultiplyAdd(c4, s1, t41); t42 = Vector512.FusedMultiplyAdd(c4, s2, t42); }
                { var c5 = Vector512.Create(Unsafe.Add(ref c, 5 * coefColStride)); t50 = Vector512.FusedMultiplyAdd(c5, s0, t50); t51 = Vector512.FusedMultiplyAdd(c5, s1, t51); t52 = Vector512.FusedMultiplyAdd(c5, s2, t52); }
                { var c6 = Vector512.Create(Unsafe.Add(ref c, 6 * coefColStride)); t60 = Vector512.FusedMultiplyAdd(c6, s0, t60); t61 = Vector512.FusedMultiplyAdd(c6, s1, t61); t62 = Vector512.FusedMultiplyAdd(c6, s2, t62); }
                { var c7 = Vector512.Create(Unsafe.Add(ref c, 7 * coefColStride)); t70 = Vector512.FusedMultiplyAdd(c7, s0, t70); t71 = Vector512.FusedMultiplyAdd(c7, s1, t71); t72 = Vector512.FusedMultiplyAdd(c7, s2, t72); }
            }
            t00.StoreUnsafe(ref t, at + 0 * ts + 0); t01.StoreUnsafe(ref t, at + 0 * ts + 16); t02.StoreUnsafe(ref t, at + 0 * ts + 32);
            t10.StoreUnsafe(ref t, at + 1 * ts + 0); t11.StoreUnsafe(ref t, at + 1 * ts + 16); t12.StoreUnsafe(ref t, at + 1 * ts + 32);
            t20.StoreUnsafe(ref t, at + 2 * ts + 0); t21.StoreUnsafe(ref t, at + 2 * ts + 16); t22.StoreUnsafe(ref t, at + 2 * ts + 32);
            t30.StoreUnsafe(ref t, at + 3 * ts + 0); t31.StoreUnsafe(ref t, at + 3 * ts + 16); t32.StoreUnsafe(ref t, at + 3 * ts + 32);
            t40.StoreUnsafe(ref t, at + 4 * ts + 0); t41.StoreUnsafe(ref t, at + 4 * ts + 16); t42.StoreUnsafe(ref t, at + 4 * ts + 32);
            t50.StoreUnsafe(ref t, at + 5 * ts + 0); t51.StoreUnsafe(ref t, at + 5 * ts + 16); t52.StoreUnsafe(ref t, at + 5 * ts + 32);
            t60.StoreUnsafe(ref t, at + 6 * ts + 0); t61.StoreUnsafe(ref t, at + 6 * ts + 16); t62.StoreUnsafe(ref t, at + 6 * ts + 32);
            t70.StoreUnsafe(ref t, at + 7 * ts + 0); t71.StoreUnsafe(ref t, at + 7 * ts + 16); t72.StoreUnsafe(ref t, at + 7 * ts + 32);
        }
        for (; k < end; k += V)
        {
            nuint at = (nuint)k;
            var t0 = Vector512.LoadUnsafe(ref t, at + 0 * ts); var t1 = Vector512.LoadUnsafe(ref t, at + 1 * ts); var t2 = Vector512.LoadUnsafe(ref t, at + 2 * ts); var t3 = Vector512.LoadUnsafe(ref t, at + 3 * ts); var t4 = Vector512.LoadUnsafe(ref t, at + 4 * ts); var t5 = Vector512.LoadUnsafe(ref t, at + 5 * ts); var t6 = Vector512.LoadUnsafe(ref t, at + 6 * ts); var t7 = Vector512.LoadUnsafe(ref t, at + 7 * ts);
            for (int m = 0; m < count; m++)
            {
                var sv = Vector512.LoadUnsafe(ref src, (nuint)(m * sourceStride + k - sourceShift));
                ref float c = ref Unsafe.Add(ref cf, m * coefRowStride + row * coefColStride);
                t0 = Vector512.FusedMultiplyAdd(Vector512.Create(c), sv, t0);
                t1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 1 * coefColStride)), sv, t1);
                t2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 2 * coefColStride)), sv, t2);
                t3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 3 * coefColStride)), sv, t3);
                t4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 4 * coefColStride)), sv, t4);
                t5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 5 * coefColStride)), sv, t5);
                t6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 6 * coefColStride)), sv, t6);
                t7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref c, 7 * coefColStride)), sv, t7);
            }
            t0.StoreUnsafe(ref t, at + 0 * ts); t1.StoreUnsafe(ref t, at + 1 * ts); t2.StoreUnsafe(ref t, at + 2 * ts); t3.StoreUnsafe(ref t, at + 3 * ts); t4.StoreUnsafe(ref t, at + 4 * ts); t5.StoreUnsafe(ref t, at + 5 * ts); t6.StoreUnsafe(ref t, at + 6 * ts); t7.StoreUnsafe(ref t, at + 7 * ts);
        }
        return end;
    }
}
