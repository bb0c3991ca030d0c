namespace LeNet5.Core.Layers;

/// <summary>The kinds of 2x2, stride-2 subsampling LeNet-5 can use for S2 and S4.</summary>
public enum PoolingKind
{
    /// <summary>Mean of each 2x2 block, no parameters (the seed's choice).</summary>
    Average,
    /// <summary>Maximum of each 2x2 block.</summary>
    Max,
    /// <summary>The paper's: sum of the 2x2 block times a trainable coefficient plus a trainable bias, per map, then squashed.</summary>
    Subsampling,
}

/// <summary>2x2 stride-2 pooling of every map (S2, S4).</summary>
public sealed class Pooling(string name, Shape input, PoolingKind kind)
    : Layer(name, input, new Shape(input.Channels, input.Height / Window, input.Width / Window))
{
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
        Propagate(n, p, x, dy, dx, dp, squared: false);

    public override void BackwardCurvature(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> y,
        ReadOnlySpan<float> d2y, Span<float> d2x, Span<float> hp, Span<float> scratch) =>
        Propagate(n, p, x, d2y, d2x, hp, squared: true);

    /// <summary>dx = dy dy/dx routed to the block's inputs; with <paramref name="squared"/> the derivatives are squared.</summary>
    private void Propagate(int n, ReadOnlySpan<float> p, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dx, Span<float> dp, bool squared)
    {
        int C = Input.Channels, H = Output.Height, W = Output.Width, Wi = Input.Width;
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
}
