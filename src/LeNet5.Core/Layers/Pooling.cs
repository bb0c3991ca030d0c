using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using LeNet5.Core.Kernels;

namespace LeNet5.Core.Layers;

/// <summary>The kinds of 2x2, stride-2 subsampling LeNet-5 can use for S2 and S4.</summary>
public enum PoolingKind
{
    /// <summary>Mean of each 2x2 block, no parameters (the architectures' default).</summary>
    Average,
    /// <summary>Maximum of each 2x2 block.</summary>
    Max,
    /// <summary>The paper's: sum of the 2x2 block times a trainable coefficient plus a trainable bias, per map, then squashed.</summary>
    Subsampling,
}

/// <summary>
/// 2x2 stride-2 pooling of every map (S2, S4). With AVX-512 a map is pooled in two vector steps:
/// each pair of rows is combined into one row, whose flat sequence then holds the blocks' halves
/// side by side, and the even and odd elements of each 32 are gathered with one permute apiece.
/// </summary>
public sealed class Pooling(string name, Shape input, PoolingKind kind, KernelPath? path = null)
    : Layer(name, input, new Shape(input.Channels, input.Height / Window, input.Width / Window))
{
    // the vector steps need whole blocks, rows of at most two vectors and a map of at least one
    private readonly bool _vector = KernelPaths.Supported(path ?? KernelPaths.Fastest) == KernelPath.Vector512 && Avx512F.IsSupported &&
        input.Height % Window == 0 && input.Width % Window == 0 && input.Width is >= 8 and <= 32 &&
        input.Height / Window * (input.Width / Window) >= 16;

    private int PairRowsLength => Output.Height * Input.Width;

    public override int ScratchSize => _vector ? PairRowsLength : 0;

    /// <summary>The side of the pooled block (and the stride).</summary>
    public const int Window = 2;

    public PoolingKind PoolKind { get; } = kind;

    public override string Kind => KindOf(PoolKind);

    /// <summary>The kind a pooling layer reports: avgpool, maxpool or subsample.</summary>
    public static string KindOf(PoolingKind kind) => kind switch
    {
        PoolingKind.Average => "avgpool",
        PoolingKind.Max => "maxpool",
        _ => "subsample",
    };

    public override IReadOnlyList<ParameterTensor> Parameters =>
        PoolKind == PoolingKind.Subsampling ? [new("coefficient", [Input.Channels]), new("bias", [Input.Channels])] : [];

    /// <summary>
    /// The coefficient starts at 1/4 and the bias at 0: the layer starts as the average of the block,
    /// squashed, which keeps what it feeds C3 in tanh's useful range. The paper's ±2.4/F_i (±0.6 for a
    /// fan-in of 4) puts coefficient x sum of 4 squashed inputs (up to ±4) in saturation, with a bias
    /// of up to ±0.6 and coefficients near 0 that silence a map: from it the network stays at chance.
    /// </summary>
    public override void Initialize(Span<float> p, Random rng)
    {
        if (PoolKind != PoolingKind.Subsampling) return;
        p[..Input.Channels].Fill(InitialCoefficient);
        p[Input.Channels..].Clear();
    }

    /// <summary>The subsampling coefficient's starting value: the block's mean.</summary>
    public const float InitialCoefficient = 1f / (Window * Window);

    /// <summary>
    /// A map's coefficient and bias each drive every one of its H x W outputs, all in the same
    /// direction: SDLM's per-position diagonal underestimates their curvature by about that factor.
    /// </summary>
    public override int CoherentOutputs => PoolKind == PoolingKind.Subsampling ? Output.Height * Output.Width : 1;

    public override void Forward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch)
    {
        int C = Input.Channels, H = Output.Height, W = Output.Width, Wi = Input.Width;
        if (_vector)
        {
            VectorForward(n, p, x, y, scratch);
            return;
        }
        for (int s = 0; s < n; s++)
            for (int c = 0; c < C; c++)
            {
                var xc = x.Slice((s * C + c) * Input.Height * Wi, Input.Height * Wi);
                var yc = y.Slice((s * C + c) * H * W, H * W);
                float coef = PoolKind == PoolingKind.Subsampling ? p[c] : 0.25f;
                float bias = PoolKind == PoolingKind.Subsampling ? p[C + c] : 0f;
                for (int r = 0; r < H; r++)
                    for (int q = 0; q < W; q++)
                    {
                        int i = 2 * r * Wi + 2 * q;
                        float a = xc[i], b = xc[i + 1], d = xc[i + Wi], e = xc[i + Wi + 1];
                        // average: (a+b+d+e)/4; max: max(a,b,d,e); subsampling: coef (a+b+d+e) + bias
                        yc[r * W + q] = PoolKind == PoolingKind.Max
                            ? MathF.Max(MathF.Max(a, b), MathF.Max(d, e))
                            : coef * (a + b + d + e) + bias;
                    }
            }
    }

    public override void Backward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> dy, Span<float> dx, Span<float> dp, Span<float> scratch) =>
        Propagate(n, p, x, dy, dx, dp, squared: false, scratch);

    public override void BackwardCurvature(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> d2y, Span<float> d2x, Span<float> hp, Span<float> scratch) =>
        Propagate(n, p, x, d2y, d2x, hp, squared: true, scratch);

    /// <summary>dx = dy dy/dx routed to the block's inputs; with <paramref name="squared"/> the derivatives are squared.</summary>
    private void Propagate(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dp, bool squared, Span<float> scratch)
    {
        int C = Input.Channels, H = Output.Height, W = Output.Width, Wi = Input.Width;
        if (_vector && PoolKind != PoolingKind.Max)
        {
            VectorPropagate(n, p, x, dy, dx, dp, squared, scratch);
            return;
        }
        for (int s = 0; s < n; s++)
            for (int c = 0; c < C; c++)
            {
                var xc = x.Slice((s * C + c) * Input.Height * Wi, Input.Height * Wi);
                var dyc = dy.Slice((s * C + c) * H * W, H * W);
                var dxc = dx.IsEmpty ? Span<float>.Empty : dx.Slice((s * C + c) * Input.Height * Wi, Input.Height * Wi);
                float coef = PoolKind == PoolingKind.Subsampling ? p[c] : 0.25f;
                float dcoef = squared ? coef * coef : coef;
                float gCoef = 0, gBias = 0;
                for (int r = 0; r < H; r++)
                    for (int q = 0; q < W; q++)
                    {
                        int i = 2 * r * Wi + 2 * q;
                        float g = dyc[r * W + q];
                        if (PoolKind == PoolingKind.Subsampling)
                        {
                            float sum = xc[i] + xc[i + 1] + xc[i + Wi] + xc[i + Wi + 1];
                            gCoef += g * (squared ? sum * sum : sum);
                            gBias += g;
                        }
                        if (dxc.IsEmpty) continue;
                        if (PoolKind == PoolingKind.Max)
                        {
                            // the gradient goes to the first maximal input
                            int best = i;
                            foreach (int j in (ReadOnlySpan<int>)[i + 1, i + Wi, i + Wi + 1])
                                if (xc[j] > xc[best]) best = j;
                            dxc[i] = dxc[i + 1] = dxc[i + Wi] = dxc[i + Wi + 1] = 0;
                            dxc[best] = g;
                        }
                        else
                        {
                            float v = g * dcoef;
                            dxc[i] = dxc[i + 1] = dxc[i + Wi] = dxc[i + Wi + 1] = v;
                        }
                    }
                if (PoolKind == PoolingKind.Subsampling)
                {
                    dp[c] += gCoef;
                    dp[C + c] += gBias;
                }
            }
    }

    // ---- the AVX-512 steps ----

    private static readonly Vector512<int> Evens = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    private static readonly Vector512<int> Odds = Vector512.Create(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    private static readonly Vector512<int> LowPairs = Vector512.Create(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    private static readonly Vector512<int> HighPairs = Vector512.Create(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void VectorForward(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, Span<float> y, Span<float> scratch)
    {
        int C = Input.Channels, plane = Input.Height * Input.Width, outputs = Output.Height * Output.Width;
        if (x.Length < n * C * plane || y.Length < n * C * outputs || scratch.Length < PairRowsLength) throw new ArgumentException("buffers shorter than the batch");
        bool max = PoolKind == PoolingKind.Max;
        ref float rows = ref MemoryMarshal.GetReference(scratch);
        for (int m = 0; m < n * C; m++)
        {
            int c = m % C;
            var coef = Vector512.Create(PoolKind == PoolingKind.Subsampling ? p[c] : 0.25f);
            var bias = Vector512.Create(PoolKind == PoolingKind.Subsampling ? p[C + c] : 0f);
            PairRows(ref Unsafe.Add(ref MemoryMarshal.GetReference(x), m * plane), ref rows, max);
            ref float ym = ref Unsafe.Add(ref MemoryMarshal.GetReference(y), m * outputs);
            // average: (a+b+d+e)/4; max: max(a,b,d,e); subsampling: coef (a+b+d+e) + bias
            for (int j = 0; ; j += 16)
            {
                if (j + 16 > outputs) j = outputs - 16; // the last vector overlaps the one before
                var pair = Blocks(ref rows, j, max);
                (max ? pair : Vector512.FusedMultiplyAdd(pair, coef, bias)).StoreUnsafe(ref ym, (nuint)j);
                if (j + 16 >= outputs) break;
            }
        }
    }

    /// <summary>The sums (or maxima) of each block of 16 outputs from j: the even and odd halves of the row pairs' 32 elements.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<float> Blocks(ref float rows, int j, bool max)
    {
        var lo = Vector512.LoadUnsafe(ref rows, (nuint)(2 * j));
        var hi = Vector512.LoadUnsafe(ref rows, (nuint)(2 * j + 16));
        var even = Avx512F.PermuteVar16x32x2(lo, Evens, hi);
        var odd = Avx512F.PermuteVar16x32x2(lo, Odds, hi);
        return max ? Vector512.Max(even, odd) : even + odd;
    }

    /// <summary>rows[r W + c] = x[2r W + c] + x[(2r+1) W + c] (or the max) for each output row r, a row as two overlapping vectors.</summary>
    private void PairRows(ref float x, ref float rows, bool max)
    {
        int W = Input.Width;
        for (int r = 0; r < Output.Height; r++)
        {
            ref float top = ref Unsafe.Add(ref x, 2 * r * W);
            ref float bottom = ref Unsafe.Add(ref top, W);
            ref float to = ref Unsafe.Add(ref rows, r * W);
            if (W >= 16)
            {
                foreach (int at in (ReadOnlySpan<int>)[0, W - 16])
                {
                    var a = Vector512.LoadUnsafe(ref top, (nuint)at);
                    var b = Vector512.LoadUnsafe(ref bottom, (nuint)at);
                    (max ? Vector512.Max(a, b) : a + b).StoreUnsafe(ref to, (nuint)at);
                }
            }
            else
            {
                foreach (int at in (ReadOnlySpan<int>)[0, W - 8])
                {
                    var a = Vector256.LoadUnsafe(ref top, (nuint)at);
                    var b = Vector256.LoadUnsafe(ref bottom, (nuint)at);
                    (max ? Vector256.Max(a, b) : a + b).StoreUnsafe(ref to, (nuint)at);
                }
            }
        }
    }

    /// <summary>
    /// The backward (or curvature) pass of average pooling and subsampling: each output's dy, times the
    /// coefficient (squared), goes to its four inputs (one permute spreads 16 outputs over 32 row
    /// elements, written to both rows); the coefficient's derivative is the dot product of dy with the block sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void VectorPropagate(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dp, bool squared, Span<float> scratch)
    {
        int C = Input.Channels, W = Input.Width, plane = Input.Height * W, outputs = Output.Height * Output.Width;
        if (x.Length < n * C * plane || dy.Length < n * C * outputs || (!dx.IsEmpty && dx.Length < n * C * plane) || scratch.Length < PairRowsLength)
            throw new ArgumentException("buffers shorter than the batch");
        bool subsampling = PoolKind == PoolingKind.Subsampling;
        ref float rows = ref MemoryMarshal.GetReference(scratch);
        ref float g0 = ref MemoryMarshal.GetReference(dy);
        var spread = scratch[..PairRowsLength];
        for (int m = 0; m < n * C; m++)
        {
            int c = m % C;
            float coef = subsampling ? p[c] : 0.25f;
            var dcoef = Vector512.Create(squared ? coef * coef : coef);
            ref float gm = ref Unsafe.Add(ref g0, m * outputs);
            if (subsampling)
            {
                // dcoef = sum dy (block sum), dbias = sum dy (squared: the sums squared)
                PairRows(ref Unsafe.Add(ref MemoryMarshal.GetReference(x), m * plane), ref rows, max: false);
                var gCoef = Vector512<float>.Zero;
                var gBias = Vector512<float>.Zero;
                for (int j = 0; ; j += 16)
                {
                    bool last = j + 16 >= outputs;
                    var g = Vector512.LoadUnsafe(ref gm, (nuint)Math.Min(j, outputs - 16));
                    var sum = Blocks(ref rows, Math.Min(j, outputs - 16), max: false);
                    if (j + 16 > outputs) // the overlapping last vector counts only its new lanes
                    {
                        var fresh = Vector512.GreaterThanOrEqual(Vector512.Create(outputs - 16) + Vector512<int>.Indices, Vector512.Create(j)).AsSingle();
                        g &= fresh;
                    }
                    gCoef = Vector512.FusedMultiplyAdd(g, squared ? sum * sum : sum, gCoef);
                    gBias += g;
                    if (last) break;
                }
                dp[c] += Vector512.Sum(gCoef);
                dp[C + c] += Vector512.Sum(gBias);
            }
            if (dx.IsEmpty) continue;
            ref float spread0 = ref MemoryMarshal.GetReference(spread);
            for (int j = 0; ; j += 16)
            {
                if (j + 16 > outputs) j = outputs - 16;
                var g = Vector512.LoadUnsafe(ref gm, (nuint)j) * dcoef;
                Avx512F.PermuteVar16x32(g, LowPairs).StoreUnsafe(ref spread0, (nuint)(2 * j));
                Avx512F.PermuteVar16x32(g, HighPairs).StoreUnsafe(ref spread0, (nuint)(2 * j + 16));
                if (j + 16 >= outputs) break;
            }
            var dxm = dx.Slice(m * plane, plane);
            Rows.Copy(spread, W, dxm, 2 * W, W, Output.Height);
            Rows.Copy(spread, W, dxm[W..], 2 * W, W, Output.Height);
        }
    }
}
