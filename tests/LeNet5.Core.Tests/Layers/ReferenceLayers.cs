using LeNet5.Core.Layers;

namespace LeNet5.Core.Tests;

/// <summary>
/// What each layer computes: every layer of LeNet-5 as plain loops in double precision, straight from
/// its definition in LeCun, Bottou, Bengio and Haffner, "Gradient-Based Learning Applied to Document
/// Recognition" (1998), with no layout, blocking or vectors. The layers in src/LeNet5.Core compute the
/// same in single precision and fast; <see cref="ReferenceLayerTests"/> holds every kernel path to these.
/// <para>
/// Layout: a batch of n samples, each sample contiguous and row-major, channels x height x width
/// (x[s, c, r, q] at s C H W + c H W + r W + q). Parameters as <see cref="Layer.Parameters"/> lists them.
/// Backward takes dE/dy and gives dE/dx and dE/dp; with squared = true it takes d2E/dy2 and gives the
/// Gauss-Newton diagonals d2E/dx2 and d2E/dp2 of the curvature pass (appendix C, eqs. 25-27): the same
/// sums with every factor squared.
/// </para>
/// </summary>
internal static class ReferenceLayers
{
    public static double[] Forward(Layer layer, int n, float[] p, float[] x)
    {
        var y = new double[n * layer.Output.Size];
        for (int s = 0; s < n; s++)
            switch (layer)
            {
                case Convolution conv: ConvolutionForward(conv, s, p, x, y); break;
                case FullyConnected fc: FullyConnectedForward(fc, s, p, x, y); break;
                case ScaledTanh: TanhForward(layer, s, x, y); break;
                case Pooling pool: PoolingForward(pool, s, p, x, y); break;
                default: throw new NotSupportedException(layer.Kind);
            }
        return y;
    }

    /// <summary>dE/dx and dE/dp, or with <paramref name="squared"/> the same sums with squared factors.</summary>
    public static (double[] Dx, double[] Dp) Backward(Layer layer, int n, float[] p, float[] x, float[] y, float[] dy, bool squared)
    {
        var dx = new double[x.Length];
        var dp = new double[p.Length];
        for (int s = 0; s < n; s++)
            switch (layer)
            {
                case Convolution conv: ConvolutionBackward(conv, s, p, x, dy, dx, dp, squared); break;
                case FullyConnected fc: FullyConnectedBackward(fc, s, p, x, dy, dx, dp, squared); break;
                case ScaledTanh: TanhBackward(layer, s, x, dy, dx, squared); break;
                case Pooling pool: PoolingBackward(pool, s, p, x, dy, dx, dp, squared); break;
                default: throw new NotSupportedException(layer.Kind);
            }
        return (dx, dp);
    }

    // C1, C3, C5 (section II-B, Table I for C3): y[o, r, q] = b_o + sum_{c in table[o]} sum_{kr, kc < 5} k_{o,c}[kr, kc] x[c, r + kr, q + kc].
    // A valid 5x5 cross-correlation, stride 1; kernels one per connection in table order, then one bias per output map.
    private static void ConvolutionForward(Convolution conv, int s, float[] p, float[] x, double[] y)
    {
        var (C, H, W) = (conv.Input.Channels, conv.Input.Height, conv.Input.Width);
        var (O, Ho, Wo) = (conv.Output.Channels, conv.Output.Height, conv.Output.Width);
        int k0 = 0;
        for (int o = 0; o < O; o++)
        {
            var row = conv.Table[o];
            for (int r = 0; r < Ho; r++)
                for (int q = 0; q < Wo; q++)
                {
                    double sum = p[ConvWeights(conv) + o];
                    for (int c = 0; c < row.Length; c++)
                        for (int kr = 0; kr < 5; kr++)
                            for (int kc = 0; kc < 5; kc++)
                                sum += p[(k0 + c) * 25 + kr * 5 + kc] * x[s * C * H * W + row[c] * H * W + (r + kr) * W + q + kc];
                    y[s * O * Ho * Wo + o * Ho * Wo + r * Wo + q] = sum;
                }
            k0 += row.Length;
        }
    }

    // dE/db_o = sum_{r,q} g[o, r, q]; dE/dk_{o,c}[kr, kc] = sum_{r,q} g[o, r, q] x[c, r + kr, q + kc];
    // dE/dx[c, r + kr, q + kc] += g[o, r, q] k_{o,c}[kr, kc] (the full convolution of g with each kernel).
    private static void ConvolutionBackward(Convolution conv, int s, float[] p, float[] x, float[] dy, double[] dx, double[] dp, bool squared)
    {
        var (C, H, W) = (conv.Input.Channels, conv.Input.Height, conv.Input.Width);
        var (O, Ho, Wo) = (conv.Output.Channels, conv.Output.Height, conv.Output.Width);
        int k0 = 0, wc = ConvWeights(conv);
        for (int o = 0; o < O; o++)
        {
            var row = conv.Table[o];
            for (int r = 0; r < Ho; r++)
                for (int q = 0; q < Wo; q++)
                {
                    double g = dy[s * O * Ho * Wo + o * Ho * Wo + r * Wo + q];
                    dp[wc + o] += g;
                    for (int c = 0; c < row.Length; c++)
                        for (int kr = 0; kr < 5; kr++)
                            for (int kc = 0; kc < 5; kc++)
                            {
                                int xi = s * C * H * W + row[c] * H * W + (r + kr) * W + q + kc;
                                int ki = (k0 + c) * 25 + kr * 5 + kc;
                                dp[ki] += g * Sq(x[xi], squared);
                                dx[xi] += g * Sq(p[ki], squared);
                            }
                }
            k0 += row.Length;
        }
    }

    // F6 (section II-B: the weighted sum a_i that eq. 5 squashes): y_o = b_o + sum_i w_{o,i} x_i; weights row-major by output, then the biases.
    private static void FullyConnectedForward(FullyConnected fc, int s, float[] p, float[] x, double[] y)
    {
        for (int o = 0; o < fc.Outputs; o++)
        {
            double sum = p[fc.Outputs * fc.Inputs + o];
            for (int i = 0; i < fc.Inputs; i++) sum += p[o * fc.Inputs + i] * x[s * fc.Inputs + i];
            y[s * fc.Outputs + o] = sum;
        }
    }

    // dE/db_o = g_o; dE/dw_{o,i} = g_o x_i; dE/dx_i = sum_o g_o w_{o,i}.
    private static void FullyConnectedBackward(FullyConnected fc, int s, float[] p, float[] x, float[] dy, double[] dx, double[] dp, bool squared)
    {
        for (int o = 0; o < fc.Outputs; o++)
        {
            double g = dy[s * fc.Outputs + o];
            dp[fc.Outputs * fc.Inputs + o] += g;
            for (int i = 0; i < fc.Inputs; i++)
            {
                dp[o * fc.Inputs + i] += g * Sq(x[s * fc.Inputs + i], squared);
                dx[s * fc.Inputs + i] += g * Sq(p[o * fc.Inputs + i], squared);
            }
        }
    }

    // The squashing function (section II-B, eq. 6; appendix A): y = A tanh(S x), A = 1.7159, S = 2/3.
    private static void TanhForward(Layer layer, int s, float[] x, double[] y)
    {
        for (int i = 0; i < layer.Input.Size; i++)
            y[s * layer.Input.Size + i] = 1.7159 * Math.Tanh(2.0 / 3.0 * x[s * layer.Input.Size + i]);
    }

    // dE/dx = dE/dy f'(x), f'(x) = A S (1 - tanh^2(S x)); the curvature takes f'(x)^2 (eq. 25 drops the f'' term).
    private static void TanhBackward(Layer layer, int s, float[] x, float[] dy, double[] dx, bool squared)
    {
        for (int i = 0; i < layer.Input.Size; i++)
        {
            int j = s * layer.Input.Size + i;
            double t = Math.Tanh(2.0 / 3.0 * x[j]);
            dx[j] = dy[j] * Sq(1.7159 * 2.0 / 3.0 * (1 - t * t), squared);
        }
    }

    // S2, S4: each 2x2 block, stride 2, of every map. Average: the mean of the block. Max: its largest.
    // Subsampling (section II-B): y[c] = a_c (sum of the block) + b_c, coefficients then biases, one per map.
    private static void PoolingForward(Pooling pool, int s, float[] p, float[] x, double[] y)
    {
        var (C, H, W) = (pool.Input.Channels, pool.Input.Height, pool.Input.Width);
        var (Ho, Wo) = (pool.Output.Height, pool.Output.Width);
        for (int c = 0; c < C; c++)
            for (int r = 0; r < Ho; r++)
                for (int q = 0; q < Wo; q++)
                {
                    var v = Block(x, s, C, H, W, c, r, q);
                    y[s * C * Ho * Wo + c * Ho * Wo + r * Wo + q] = pool.PoolKind switch
                    {
                        PoolingKind.Average => v.Average(),
                        PoolingKind.Max => v.Max(),
                        _ => p[c] * v.Sum() + p[C + c],
                    };
                }
    }

    // Each input of a block gets g/4 (average), g at the block's first largest and 0 elsewhere (max), or
    // g a_c (subsampling, which also gives dE/da_c = g (sum of the block) and dE/db_c = g).
    private static void PoolingBackward(Pooling pool, int s, float[] p, float[] x, float[] dy, double[] dx, double[] dp, bool squared)
    {
        var (C, H, W) = (pool.Input.Channels, pool.Input.Height, pool.Input.Width);
        var (Ho, Wo) = (pool.Output.Height, pool.Output.Width);
        for (int c = 0; c < C; c++)
            for (int r = 0; r < Ho; r++)
                for (int q = 0; q < Wo; q++)
                {
                    double g = dy[s * C * Ho * Wo + c * Ho * Wo + r * Wo + q];
                    var v = Block(x, s, C, H, W, c, r, q);
                    int best = Array.IndexOf(v, v.Max());
                    for (int j = 0; j < 4; j++)
                    {
                        int xi = s * C * H * W + c * H * W + (2 * r + j / 2) * W + 2 * q + j % 2;
                        dx[xi] = pool.PoolKind switch
                        {
                            PoolingKind.Average => g * Sq(0.25, squared),
                            PoolingKind.Max => j == best ? g : 0,
                            _ => g * Sq(p[c], squared),
                        };
                    }
                    if (pool.PoolKind == PoolingKind.Subsampling)
                    {
                        dp[c] += g * Sq(v.Sum(), squared);
                        dp[C + c] += g;
                    }
                }
    }

    /// <summary>A factor of the gradient, or its square in the curvature pass (appendix C, eqs. 26-27).</summary>
    private static double Sq(double v, bool squared) => squared ? v * v : v;

    private static int ConvWeights(Convolution conv) => conv.Table.Sum(r => r.Length) * 25;

    /// <summary>The 2x2 block of map c under output (r, q): top-left, top-right, bottom-left, bottom-right.</summary>
    private static double[] Block(float[] x, int s, int C, int H, int W, int c, int r, int q)
    {
        int b = s * C * H * W + c * H * W + 2 * r * W + 2 * q;
        return [x[b], x[b + 1], x[b + W], x[b + W + 1]];
    }
}
