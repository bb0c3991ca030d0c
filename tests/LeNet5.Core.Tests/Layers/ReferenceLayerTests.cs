using LeNet5.Core.Kernels;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Tests;

/// <summary>
/// The fast kernels against <see cref="ReferenceLayers"/>, plain loops written straight from the
/// definitions, on random inputs of the real LeNet-5 sizes (so the vector paths, not only their
/// tails, run), for both passes, the curvature pass and a single sample's pass, on the AVX-512 path and the portable one.
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
    public void FastLayerAgreesWithPlainLoops(string name, bool vector512)
    {
        var layer = TestLayers.Make(name, KernelPaths.Supported(vector512 ? KernelPath.Vector512 : KernelPath.Portable));
        Check(layer, 13); // the dense blocks of 8 and 4 rows plus an edge, C3's groups of eight samples plus a part group
        Check(layer, 37); // C1's and C3's two groups of sixteen samples, one a vector lane, and five left over for the other kernels
        Check(layer, 1);  // an explanation's pass of one sample (C3 keeps its general blocks there)
    }

    private static void Check(Layer layer, int n)
    {
        var rng = new Random(11);
        var p = GradientCheckTests.Random(layer.ParameterCount, rng, 0.3);
        var x = GradientCheckTests.Random(n * layer.Input.Size, rng, 1.0);
        var dy = GradientCheckTests.Random(n * layer.Output.Size, rng, 1.0);
        var scratch = new float[Math.Max(1, layer.ScratchSize)];

        var y = new float[n * layer.Output.Size];
        layer.Forward(n, p, x, y, scratch);
        var yRef = ReferenceLayers.Forward(layer, n, p, x);
        AssertClose(yRef, y, "forward");

        // a single prediction's pass, over the weights laid out for one sample (Wᵀ for the dense layers)
        var packed = new float[layer.PackedSize];
        layer.Pack(p, packed);
        var one = new float[layer.Output.Size];
        layer.ForwardOne(p, packed, x.AsSpan(0, layer.Input.Size), one, scratch);
        AssertClose(yRef[..layer.Output.Size], one, "forward, one sample");

        var dx = new float[x.Length];
        var dp = new float[p.Length];
        layer.Backward(n, p, x, y, dy, dx, dp, scratch);
        var (dxRef, dpRef) = ReferenceLayers.Backward(layer, n, p, x, y, dy, squared: false);
        AssertClose(dxRef, dx, "backward dx");
        AssertClose(dpRef, dp, "backward dp");
        if (layer is Convolution)
        {
            // as the first layer runs in training, with no input gradient wanted (C1's sample-lane pass runs only then)
            var dpAlone = new float[p.Length];
            layer.Backward(n, p, x, y, dy, Span<float>.Empty, dpAlone, scratch);
            AssertClose(dpRef, dpAlone, "backward dp, no dx");
        }

        var d2x = new float[x.Length];
        var hp = new float[p.Length];
        var d2y = dy.Select(Math.Abs).ToArray();
        layer.BackwardCurvature(n, p, x, y, d2y, d2x, hp, scratch);
        var (d2xRef, hpRef) = ReferenceLayers.Backward(layer, n, p, x, y, d2y, squared: true);
        AssertClose(d2xRef, d2x, "curvature d2x");
        AssertClose(hpRef, hp, "curvature hp");
        if (layer is Convolution)
        {
            var hpAlone = new float[p.Length];
            layer.BackwardCurvature(n, p, x, y, d2y, Span<float>.Empty, hpAlone, scratch);
            AssertClose(hpRef, hpAlone, "curvature hp, no d2x");
        }
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
}
