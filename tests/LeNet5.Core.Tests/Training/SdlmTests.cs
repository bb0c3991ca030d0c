using LeNet5.Core.Layers;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Tests;

/// <summary>
/// SDLM's h_kk against the Gauss-Newton diagonal computed numerically: for the MSE criterion
/// E = sum_j (x_j - w_j)^2 the Gauss-Newton matrix is J^T (2I) J, so h_kk = 2 sum_j (dx_j/dp_k)^2,
/// with the Jacobian J of the RBF inputs taken by central differences.
/// </summary>
public class SdlmTests
{
    [Theory]
    [InlineData("fc")]
    [InlineData("conv")]
    public void CurvatureMatchesNumericGaussNewtonDiagonal(string kind)
    {
        Layer first = kind == "fc"
            ? new FullyConnected("f", 6, Bitmaps.Size)
            : new Convolution("c", new Shape(1, 11, 16), 1); // one 7x12 map = the 84 RBF inputs
        var squash = new ScaledTanh("t", first.Output);
        var network = new Network(new Architecture("lenet5"), [first, squash], new RbfHead(RbfCriterion.Mse));
        var rng = new Random(5);
        var p = GradientCheckTests.Random(network.ParameterCount, rng, 0.4);
        var ws = network.CreateWorkspace(1);
        var input = GradientCheckTests.Random(first.Input.Size, rng, 1.0);
        byte[] label = [4];

        float[] Outputs()
        {
            input.CopyTo(ws.Input);
            network.Forward(ws, p, 1);
            return ws.Activation(2, 1).ToArray();
        }

        var h = new float[p.Length];
        Outputs();
        network.Curvature(ws, p, label, 1, h);

        for (int k = 0; k < p.Length; k++)
        {
            float saved = p[k];
            const float step = 1e-2f;
            p[k] = saved + step;
            var up = Outputs();
            p[k] = saved - step;
            var down = Outputs();
            p[k] = saved;
            double gn = 0;
            for (int j = 0; j < up.Length; j++)
            {
                double d = (up[j] - down[j]) / (2.0 * step);
                gn += 2 * d * d;
            }
            double scale = Math.Max(1e-3, Math.Max(gn, h[k]));
            Assert.True(Math.Abs(gn - h[k]) / scale < 2e-2, $"{kind} parameter {k}: SDLM h {h[k]:G6} vs numeric Gauss-Newton {gn:G6}");
        }
    }
}
