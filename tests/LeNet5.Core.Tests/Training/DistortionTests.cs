using LeNet5.Core.Networks;
using LeNet5.Core.Training;

namespace LeNet5.Core.Tests;

/// <summary>The training distortions: affine, elastic (Simard 2003) and stroke width (Morpho-MNIST).</summary>
public sealed class DistortionTests
{
    private static float[] Field(ElasticDistortion elastic, ulong state)
    {
        var field = new float[ElasticDistortion.FieldSize];
        elastic.Field(state, field, new float[elastic.ScratchSize]);
        return field;
    }

    private static void AssertPlainEncoding(ReadOnlySpan<byte> digit, ReadOnlySpan<float> field)
    {
        var plain = new float[InputEncoding.Size];
        var resampled = new float[InputEncoding.Size];
        InputEncoding.Encode(digit, plain);
        Distortion.Resample(digit, resampled, AffineMap.Identity, field);
        Assert.Equal(plain, resampled);
    }

    [Fact]
    public void TheIdentityMapWithoutAFieldIsThePlainEncoding() => AssertPlainEncoding(TestMnist.Test.Image(0), default);

    [Fact]
    public void AZeroFieldChangesNothing()
    {
        // alpha 0 scales every displacement to nothing: the elastic path must then be the identity
        var field = Field(new ElasticDistortion(alpha: 0f), 12345);
        Assert.All(field, d => Assert.Equal(0f, d));
        AssertPlainEncoding(TestMnist.Test.Image(1), field);
    }

    [Fact]
    public void TheFieldIsAPureFunctionOfTheSampleStream()
    {
        var elastic = ElasticDistortion.Default;
        ulong a = Distortion.SampleState(1, 3, 17), b = Distortion.SampleState(1, 3, 18);
        Assert.Equal(Field(elastic, a), Field(elastic, a));
        Assert.NotEqual(Field(elastic, a), Field(elastic, b));
    }

    [Fact]
    public void TheFieldIsSmoothAndAsLargeAsAlphaSays()
    {
        // uniform noise (standard deviation 0.577) smoothed by a normalised Gaussian of sigma s and
        // scaled by alpha: a standard deviation of about alpha 0.577 / (2 sqrt(pi) s) inside (0.65 px
        // for the default 4 and 16), while neighbours differ far less than raw noise would (by about 0.8 alpha)
        var elastic = ElasticDistortion.Default;
        double expected = elastic.Alpha * 0.577 / (2 * Math.Sqrt(Math.PI) * elastic.Sigma);
        double sumSq = 0, diffSq = 0;
        int values = 0, pairs = 0;
        for (int sample = 0; sample < 50; sample++)
        {
            var field = Field(elastic, Distortion.SampleState(7, 1, sample));
            for (int plane = 0; plane < 2; plane++)
                for (int r = 8; r < 24; r++)
                    for (int c = 8; c < 24; c++)
                    {
                        float v = field[plane * InputEncoding.Size + r * InputEncoding.Side + c];
                        sumSq += v * v;
                        values++;
                        float right = field[plane * InputEncoding.Size + r * InputEncoding.Side + c + 1];
                        diffSq += (right - v) * (right - v);
                        pairs++;
                    }
        }
        double std = Math.Sqrt(sumSq / values), step = Math.Sqrt(diffSq / pairs);
        Assert.InRange(std, 0.7 * expected, 1.3 * expected);
        Assert.True(step < 0.3 * std, $"neighbouring displacements differ by {step:0.000} px for a spread of {std:0.000} px");
    }

    /// <summary>The smoothing as plain loops over the grid's taps only (what the padded vector passes replaced).</summary>
    private static void PlainSmooth(ElasticDistortion elastic, float[] f)
    {
        const int n = InputEncoding.Side;
        var kernel = elastic.Kernel.ToArray();
        int radius = kernel.Length / 2;
        var tmp = new float[n * n];
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                float s = 0;
                for (int k = Math.Max(-radius, -c); k <= Math.Min(radius, n - 1 - c); k++) s += kernel[k + radius] * f[r * n + c + k];
                tmp[r * n + c] = s;
            }
        for (int r = 0; r < n; r++)
            for (int c = 0; c < n; c++)
            {
                float s = 0;
                for (int k = Math.Max(-radius, -r); k <= Math.Min(radius, n - 1 - r); k++) s += kernel[k + radius] * tmp[(r + k) * n + c];
                f[r * n + c] = elastic.Alpha * s;
            }
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(4f)]
    [InlineData(10f)]   // radius 30: nearly the whole grid
    [InlineData(20f)]   // radius capped at 31
    public void TheSmoothingIsThePlainLoopBitForBit(float sigma)
    {
        var elastic = new ElasticDistortion(sigma, alpha: 16f);
        var rng = new Random(5);
        var noise = Enumerable.Range(0, InputEncoding.Size).Select(_ => (float)rng.NextDouble() * 2 - 1).ToArray();
        var expected = noise.ToArray();
        PlainSmooth(elastic, expected);
        var actual = noise.ToArray();
        var scratch = new float[elastic.ScratchSize];
        scratch.AsSpan().Fill(float.NaN); // whatever the scratch held before must not matter
        elastic.Smooth(actual, scratch);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void DistortingASampleAllocatesNothing()
    {
        var digit = TestMnist.Test.Image(2).ToArray();
        var input = new float[InputEncoding.Size];
        var field = new float[ElasticDistortion.FieldSize];
        var scratch = new float[ElasticDistortion.Default.ScratchSize];
        var stroke = new byte[28 * 28];
        void Once(int sample)
        {
            ulong state = Distortion.SampleState(1, 1, sample);
            var map = Distortion.Default.Draw(state).Scaled(StrokeMorphology.RefitScale(2f));
            StrokeMorphology.Apply(digit, stroke, 2f);
            ElasticDistortion.Default.Field(state, field, scratch);
            Distortion.Resample(stroke, input, map, field);
        }
        Once(0);
        // the least of five rounds: the runtime itself may allocate on this thread once (scheduling a method's
        // recompilation after its first calls), but code that allocates does so in every round
        long least = long.MaxValue;
        for (int round = 0; round < 5 && least > 0; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 1; i < 20; i++) Once(20 * round + i);
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        Assert.Equal(0, least);
    }

    [Fact]
    public void DilationByTheUnitDiskDrawsACrossAndErosionTakesItBack()
    {
        var dot = new byte[28 * 28];
        dot[10 * 28 + 10] = 200;
        var thick = new byte[28 * 28];
        StrokeMorphology.Apply(dot, thick, 1f);
        int[] cross = [10 * 28 + 10, 9 * 28 + 10, 11 * 28 + 10, 10 * 28 + 9, 10 * 28 + 11];
        for (int i = 0; i < thick.Length; i++) Assert.Equal(cross.Contains(i) ? (byte)200 : (byte)0, thick[i]);
        var back = new byte[28 * 28];
        StrokeMorphology.Apply(thick, back, -1f);
        Assert.Equal(dot, back);

        var square = new byte[28 * 28];
        StrokeMorphology.Apply(dot, square, 1.5f);
        Assert.Equal(9, square.Count(v => v == 200));
        var copy = new byte[28 * 28];
        StrokeMorphology.Apply(dot, copy, 0f);
        Assert.Equal(dot, copy);
    }

    [Fact]
    public void ThickerPensAddInk()
    {
        var digit = TestMnist.Test.Image(3);
        var thick = new byte[28 * 28];
        var thin = new byte[28 * 28];
        StrokeMorphology.Apply(digit, thick, 2f);
        StrokeMorphology.Apply(digit, thin, -1f);
        long Ink(ReadOnlySpan<byte> d) { long s = 0; foreach (var v in d) s += v; return s; }
        Assert.True(Ink(thick) > Ink(digit) && Ink(digit) > Ink(thin));
    }
}
