using LeNet5.Core.Layers;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Tests;

/// <summary>Every backward pass against central finite differences of a scalar loss.</summary>
public class GradientCheckTests
{
    private const int Batch = 2;

    public static TheoryData<string> LayerNames => new()
    {
        "conv-full", "conv-c3", "conv-dense", "fc", "tanh", "avgpool", "maxpool", "subsample",
    };

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void LayerBackwardMatchesFiniteDifferences(string name)
    {
        var layer = TestLayers.Make(name);
        var rng = new Random(42);
        var p = Random(layer.ParameterCount, rng, 0.5);
        var x = Random(Batch * layer.Input.Size, rng, 1.0);
        var r = Random(Batch * layer.Output.Size, rng, 1.0); // loss = sum r . y
        var scratch = new float[Math.Max(1, layer.ScratchSize)];
        var y = new float[Batch * layer.Output.Size];

        double Loss()
        {
            layer.Forward(Batch, p, x, y, scratch);
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += (double)r[i] * y[i];
            return s;
        }

        Loss();
        var dx = new float[x.Length];
        var dp = new float[p.Length];
        layer.Backward(Batch, p, x, y, r, dx, dp, scratch);

        AssertGradient(x, dx, Loss, $"{name} dx");
        AssertGradient(p, dp, Loss, $"{name} dp");
    }

    [Theory]
    [InlineData("lenet5", "average", "rbf", "map")]
    [InlineData("lenet5", "average", "rbf", "mse")]
    [InlineData("lenet5", "max", "softmax", "map")]
    [InlineData("lenet5", "subsampling", "rbf", "map")]
    [InlineData("lenet5-nopool-fc", "average", "softmax", "map")]
    public void NetworkBackwardMatchesFiniteDifferences(string arch, string pooling, string output, string criterion)
    {
        var network = new Architecture(arch, Tokens.Parse<PoolingKind>(pooling), Tokens.Parse<OutputKind>(output),
            Tokens.Parse<RbfCriterion>(criterion)).Build();
        var rng = new Random(7);
        // larger weights than the fan-in initialisation so that every unit's gradient is far from zero
        var p = network.InitializeParameters(3);
        for (int i = 0; i < p.Length; i++) p[i] *= 3f;
        var ws = network.CreateWorkspace(Batch);
        var input = Random(Batch * network.InputSize, rng, 1.0);
        byte[] labels = [3, 8];

        double Loss()
        {
            input.CopyTo(ws.Input);
            network.Forward(ws, p, Batch);
            return network.Backward(ws, p, labels, Batch, new float[p.Length]);
        }

        var grad = new float[p.Length];
        input.CopyTo(ws.Input);
        network.Forward(ws, p, Batch);
        network.Backward(ws, p, labels, Batch, grad);

        // The loss is a float sum of large distances, so single-coordinate differences drown in
        // rounding; a random direction over a whole tensor gives a signal well above it.
        foreach (var (tensor, shape, offset, _) in network.Tensors())
        {
            int size = shape.Aggregate(1, (a, b) => a * b);
            var direction = Random(size, rng, 1.0);
            double analytic = 0;
            for (int i = 0; i < size; i++) analytic += (double)grad[offset + i] * direction[i];
            var saved = p.AsSpan(offset, size).ToArray();
            double Shifted(float h)
            {
                for (int i = 0; i < size; i++) p[offset + i] = saved[i] + h * direction[i];
                return Loss();
            }
            // Richardson extrapolation of two central differences cancels the h^2 term
            double Central(float h) => (Shifted(h) - Shifted(-h)) / (2 * h);
            float step = pooling == "max" ? 2e-3f : 1e-2f; // max pooling has kinks: stay close
            double numeric = (4 * Central(step / 2) - Central(step)) / 3;
            saved.CopyTo(p, offset);
            // derivatives under 5e-3 are compared absolutely: float rounding of the loss is that large
            double scale = Math.Max(5e-3, Math.Max(Math.Abs(numeric), Math.Abs(analytic)));
            // 5%: float rounding and max pooling's kinks; a wrong index or sign is off by far more
            Assert.True(Math.Abs(numeric - analytic) / scale < 5e-2,
                $"{arch} {tensor}: analytic directional derivative {analytic:G6} vs numeric {numeric:G6}");
        }
    }

    internal static float[] Random(int n, Random rng, double scale) =>
        Enumerable.Range(0, n).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();

    internal static void AssertGradient(float[] v, float[] analytic, Func<double> loss, string what, int[]? indices = null, double relTol = 1e-2)
    {
        indices ??= Enumerable.Range(0, v.Length).ToArray();
        foreach (int i in indices)
        {
            float saved = v[i];
            float h = 1e-2f * Math.Max(1f, Math.Abs(saved));
            v[i] = saved + h;
            double up = loss();
            v[i] = saved - h;
            double down = loss();
            v[i] = saved;
            double numeric = (up - down) / (2 * h);
            double err = Math.Abs(numeric - analytic[i]);
            double scale = Math.Max(1e-2, Math.Max(Math.Abs(numeric), Math.Abs(analytic[i])));
            Assert.True(err / scale < relTol,
                $"{what}[{i}]: analytic {analytic[i]:G6} vs numeric {numeric:G6} (relative error {err / scale:G3})");
        }
    }
}
