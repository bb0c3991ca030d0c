using LeNet5.Core.Explanation;
using LeNet5.Core.Layers;
using LeNet5.Core.Models;
using LeNet5.Core.Networks;

namespace LeNet5.Core.Tests;

/// <summary>The input gradient against finite differences, and dreams and nudges on the shipped models.</summary>
public sealed class ExplanationTests
{
    private static readonly LeNet5Model Shipped = ModelFile.Load(RepoPaths.ShippedModel);
    private static readonly LeNet5Model Softmax = ModelFile.Load(Path.Combine(RepoPaths.ModelsDirectory, "lenet5-softmax.safetensors"));

    public static TheoryData<string> Architectures => new()
    {
        "lenet5 pooling=average output=rbf criterion=map",
        "lenet5 pooling=max output=rbf criterion=mse",
        "lenet5 pooling=subsampling output=rbf criterion=map",
        "lenet5 pooling=average output=softmax",
        "lenet5-nopool pooling=average output=rbf criterion=map",
        "lenet5-nopool-fc pooling=average output=softmax",
    };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void InputGradientMatchesCentralFiniteDifferences(string architecture)
    {
        var arch = Architecture.Parse(architecture);
        var network = arch.Build();
        var p = network.InitializeParameters(5);
        for (int i = 0; i < p.Length; i++) p[i] *= 3f; // larger weights so every pixel's gradient is far from zero
        var model = new LeNet5Model(arch, p);
        var rng = new Random(11);
        // pixels away from 0 and 255, so the encoding's clamp never bites within the finite-difference step
        var pixels = Enumerable.Range(0, 784).Select(_ => (float)(40 + rng.NextDouble() * 175)).ToArray();
        var pass = new EvidenceGradient(model);
        var gradient = new float[784];
        const int target = 4;
        float step = arch.Pooling == PoolingKind.Max ? 0.25f : 2f; // max pooling has kinks: stay close
        pass.Compute(pixels, target, gradient);

        double Evidence(float[] x)
        {
            pass.Forward(x);
            return pass.Evidence(target);
        }

        // single pixels: the gradient is per pixel (the padding is no pixel: 784 entries, not 1024)
        foreach (int i in new[] { 130, 300, 406, 520, 650 })
            AssertClose(gradient[i], Central(pixels, i, null, Evidence, step), $"{arch.Name} pixel {i}", arch.Pooling == PoolingKind.Max ? 0.15 : 5e-2);
        // and a random direction over all 784 pixels, which sums every entry's error
        var direction = Enumerable.Range(0, 784).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        double analytic = 0;
        for (int i = 0; i < 784; i++) analytic += (double)gradient[i] * direction[i];
        AssertClose(analytic, Central(pixels, -1, direction, Evidence, step), $"{arch.Name} direction");
    }

    // Richardson extrapolation of two central differences (steps of h and 2h levels) cancels the h^2 term
    private static double Central(float[] pixels, int index, float[]? direction, Func<float[], double> f, float h)
    {
        double Shifted(float h)
        {
            var x = (float[])pixels.Clone();
            for (int i = 0; i < x.Length; i++)
                if (direction is not null) x[i] += h * direction[i];
                else if (i == index) x[i] += h;
            return f(x);
        }
        double D(float h) => (Shifted(h) - Shifted(-h)) / (2 * h);
        return (4 * D(h) - D(2 * h)) / 3;
    }

    private static void AssertClose(double analytic, double numeric, string what, double tolerance = 5e-2)
    {
        // the evidence is a float sum of squares of size ~100, so differences under 1e-4 per level are rounding
        double scale = Math.Max(1e-4, Math.Max(Math.Abs(numeric), Math.Abs(analytic)));
        Assert.True(Math.Abs(numeric - analytic) / scale < tolerance, $"{what}: analytic {analytic:G6} vs numeric {numeric:G6}");
    }

    [Fact]
    public void TheMarginGradientIsTheDifferenceOfTwoEvidenceGradients()
    {
        var pass = new EvidenceGradient(Shipped);
        var pixels = Array.ConvertAll(TestMnist.Test.Image(0).ToArray(), b => (float)b);
        float[] g3 = new float[784], g8 = new float[784], margin = new float[784];
        pass.Compute(pixels, 3, g3);
        pass.Compute(pixels, 8, g8);
        pass.Compute(pixels, 3, margin, rival: 8);
        for (int i = 0; i < 784; i++) Assert.Equal(g3[i] - g8[i], margin[i], 1e-3f * Math.Max(1f, Math.Abs(margin[i])));
    }

    [Fact]
    public void ABadDigitIsRefused()
    {
        var pass = new EvidenceGradient(Shipped);
        Assert.Throws<ArgumentOutOfRangeException>(() => pass.Compute(new float[784], 10, new float[784]));
    }

    public static TheoryData<string> Models => new() { "rbf", "softmax" };

    [Theory]
    [MemberData(nameof(Models))]
    public void EveryDreamIsReadAsItsOwnDigit(string head)
    {
        var model = head == "rbf" ? Shipped : Softmax;
        var dreams = Dreams.All(model);
        Assert.Equal(OutputHead.Classes, dreams.Length);
        for (int d = 0; d < dreams.Length; d++)
        {
            Assert.All(dreams[d], v => Assert.InRange(v, 0f, 255f));
            Assert.True(dreams[d].Max() > 100, $"the dream of {d} has ink (peak {dreams[d].Max()})"); // not a blank field
            Assert.Equal(d, model.Predict(Encode(dreams[d])).Digit);
        }
    }

    /// <summary>
    /// A dream that looks like a digit, not like one network's private code, is read as that digit by other networks
    /// too. Counted over four seeds of the jitter: one seed's ten dreams move a read or two with the last bit of a
    /// sum (the ascent amplifies it), four seeds' forty reads a model measure the dreams, not the rounding.
    /// </summary>
    [Fact]
    public void TheShippedModelsDreamsAreReadAsTheirDigitsByTheOtherShippedModels()
    {
        const int seeds = 4;
        var dreams = Enumerable.Range(0, seeds).Select(seed => Dreams.All(Shipped, DreamSettings.Default with { Seed = seed })).ToArray();
        foreach (var name in new[] { "lenet5-softmax", "lenet5-paper" })
        {
            var other = ModelFile.Load(Path.Combine(RepoPaths.ModelsDirectory, $"{name}.safetensors"));
            var read = dreams.Select(ten => Enumerable.Range(0, ten.Length).Select(d => other.Predict(Encode(ten[d])).Digit).ToArray()).ToArray();
            int right = read.Sum(ten => ten.Where((digit, d) => digit == d).Count());
            Assert.True(right >= 0.85 * seeds * OutputHead.Classes,
                $"{name} reads {right} of {seeds * OutputHead.Classes} dreams as their digits: {string.Join(" | ", read.Select(ten => string.Join(' ', ten)))}");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ANudgeReachesItsTargetWithinItsBudget(int index)
    {
        var pixels = Array.ConvertAll(TestMnist.Test.Image(index).ToArray(), b => (float)b);
        int label = TestMnist.Test.Labels[index];
        int target = (label + 3) % 10;
        var settings = NudgeSettings.Default;
        var result = Nudge.Toward(Shipped, pixels, target, settings);
        Assert.True(result.Reached, $"{label} -> {target} not reached in {result.Steps} steps");
        Assert.Equal(target, result.Digit);
        Assert.Equal(target, Shipped.Predict(Encode(result.Pixels)).Digit);
        Assert.InRange(result.Steps, 1, settings.MaxSteps);
        for (int i = 0; i < 784; i++) Assert.InRange(Math.Abs(result.Pixels[i] - pixels[i]), 0f, settings.Budget + 1e-3f);
        Assert.All(result.Pixels, v => Assert.InRange(v, 0f, 255f));
        Assert.True(result.MeanChange < 64, $"mean change {result.MeanChange}");
    }

    [Fact]
    public void ADigitAlreadyReadAsTheTargetIsNotChanged()
    {
        var pixels = Array.ConvertAll(TestMnist.Test.Image(0).ToArray(), b => (float)b);
        var result = Nudge.Toward(Shipped, pixels, TestMnist.Test.Labels[0]);
        Assert.True(result.Reached);
        Assert.Equal(0, result.Steps);
        Assert.Equal(pixels, result.Pixels);
    }

    private static float[] Encode(float[] pixels)
    {
        var input = new float[InputEncoding.Size];
        InputEncoding.Encode(pixels, input);
        return input;
    }
}
