using LeNet5.Core.Kernels;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Tests;

/// <summary>
/// The fast kernels against plain loops written straight from the definitions, on random inputs of
/// the real LeNet-5 sizes (so the vector paths, not only their tails, run), for both passes and the
/// curvature pass, with and without AVX-512.
/// </summary>
public class ReferenceLayerTests
{
    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (var name in new[] { "c1", "c3", "c5", "c3-nopool", "c5-nopool", "c5-nopool-odd", "f6", "tanh-28", "tanh-84", "avgpool-28", "maxpool-28", "subsample-28", "avgpool-10", "subsample-10" })
        {
            data.Add(name, true);
            data.Add(name, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void FastLayerAgreesWithPlainLoops(string name, bool vector512) =>
        Check(TestLayers.Make(name, KernelPaths.Supported(vector512 ? KernelPath.Vector512 : KernelPath.Portable)));

    private static void Check(Layer layer)
    {
        const int n = 13; // the dense blocks of 8 and 4 rows plus an edge
        var rng = new Random(11);
        var p = GradientCheckTests.Random(layer.ParameterCount, rng, 0.3);
        var x = GradientCheckTests.Random(n * layer.Input.Size, rng, 1.0);
        var dy = GradientCheckTests.Random(n * layer.Output.Size, rng, 1.0);
        var scratch = new float[Math.Max(1, layer.ScratchSize)];

        var y = new float[n * layer.Output.Size];
        layer.Forward(n, p, x, y, scratch);
        var yRef = Reference.Forward(layer, n, p, x);
        AssertClose(yRef, y, "forward");

        var dx = new float[x.Length];
        var dp = new float[p.Length];
        layer.Backward(n, p, x, y, dy, dx, dp, scratch);
        var (dxRef, dpRef) = Reference.Backward(layer, n, p, x, y, dy, squared: false);
        AssertClose(dxRef, dx, "backward dx");
        AssertClose(dpRef, dp, "backward dp");

        var d2x = new float[x.Length];
        var hp = new float[p.Length];
        var d2y = dy.Select(Math.Abs).ToArray();
        layer.BackwardCurvature(n, p, x, y, d2y, d2x, hp, scratch);
        var (d2xRef, hpRef) = Reference.Backward(layer, n, p, x, y, d2y, squared: true);
        AssertClose(d2xRef, d2x, "curvature d2x");
        AssertClose(hpRef, hp, "curvature hp");
    }

    private static void AssertClose(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        if (expected.Length == 0) return;
        double scale = Math.Max(1e-3, expected.Max(Math.Abs));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * scale + 1e-5 * Math.Abs(expected[i]),
                $"{what}[{i}]: expected {expected[i]:G7}, got {actual[i]:G7}");
    }

    /// <summary>Each layer as plain loops in double precision, straight from its definition.</summary>
    private static class Reference
    {
        public static double[] Forward(Layer layer, int n, float[] p, float[] x)
        {
            var y = new double[n * layer.Output.Size];
            var (C, H, W) = (layer.Input.Channels, layer.Input.Height, layer.Input.Width);
            var (O, Ho, Wo) = (layer.Output.Channels, layer.Output.Height, layer.Output.Width);
            for (int s = 0; s < n; s++)
                switch (layer)
                {
                    case Convolution conv:
                        {
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
                            break;
                        }
                    case FullyConnected fc:
                        for (int o = 0; o < fc.Outputs; o++)
                        {
                            double sum = p[fc.Outputs * fc.Inputs + o];
                            for (int i = 0; i < fc.Inputs; i++) sum += p[o * fc.Inputs + i] * x[s * fc.Inputs + i];
                            y[s * fc.Outputs + o] = sum;
                        }
                        break;
                    case ScaledTanh:
                        for (int i = 0; i < layer.Input.Size; i++)
                            y[s * layer.Input.Size + i] = 1.7159 * Math.Tanh(2.0 / 3.0 * x[s * layer.Input.Size + i]);
                        break;
                    case Pooling pool:
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
                        break;
                }
            return y;
        }

        /// <summary>dE/dx and dE/dp, or with <paramref name="squared"/> the same sums with squared factors.</summary>
        public static (double[] Dx, double[] Dp) Backward(Layer layer, int n, float[] p, float[] x, float[] y, float[] dy, bool squared)
        {
            var dx = new double[x.Length];
            var dp = new double[p.Length];
            double Sq(double v) => squared ? v * v : v;
            var (C, H, W) = (layer.Input.Channels, layer.Input.Height, layer.Input.Width);
            var (O, Ho, Wo) = (layer.Output.Channels, layer.Output.Height, layer.Output.Width);
            for (int s = 0; s < n; s++)
                switch (layer)
                {
                    case Convolution conv:
                        {
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
                                                    dp[ki] += g * Sq(x[xi]);
                                                    dx[xi] += g * Sq(p[ki]);
                                                }
                                    }
                                k0 += row.Length;
                            }
                            break;
                        }
                    case FullyConnected fc:
                        for (int o = 0; o < fc.Outputs; o++)
                        {
                            double g = dy[s * fc.Outputs + o];
                            dp[fc.Outputs * fc.Inputs + o] += g;
                            for (int i = 0; i < fc.Inputs; i++)
                            {
                                dp[o * fc.Inputs + i] += g * Sq(x[s * fc.Inputs + i]);
                                dx[s * fc.Inputs + i] += g * Sq(p[o * fc.Inputs + i]);
                            }
                        }
                        break;
                    case ScaledTanh:
                        for (int i = 0; i < layer.Input.Size; i++)
                        {
                            int j = s * layer.Input.Size + i;
                            double t = Math.Tanh(2.0 / 3.0 * x[j]);
                            dx[j] = dy[j] * Sq(1.7159 * 2.0 / 3.0 * (1 - t * t));
                        }
                        break;
                    case Pooling pool:
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
                                            PoolingKind.Average => g * Sq(0.25),
                                            PoolingKind.Max => j == best ? g : 0,
                                            _ => g * Sq(p[c]),
                                        };
                                    }
                                    if (pool.PoolKind == PoolingKind.Subsampling)
                                    {
                                        dp[c] += g * Sq(v.Sum());
                                        dp[C + c] += g;
                                    }
                                }
                        break;
                }
            return (dx, dp);
        }

        private static int ConvWeights(Convolution conv) => conv.Table.Sum(r => r.Length) * 25;

        private static double[] Block(float[] x, int s, int C, int H, int W, int c, int r, int q)
        {
            int b = s * C * H * W + c * H * W + 2 * r * W + 2 * q;
            return [x[b], x[b + 1], x[b + W], x[b + W + 1]];
        }
    }
}

