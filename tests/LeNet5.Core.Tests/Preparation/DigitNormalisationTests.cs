using LeNet5.Core.Data;
using LeNet5.Core.Models;
using LeNet5.Core.Preparation;
using LeNet5.Core.Recognition;

namespace LeNet5.Core.Tests;

/// <summary>The steps a model may take on a laid-out digit before reading it: deskewing and stroke-width normalisation.</summary>
public sealed class DigitNormalisationTests
{
    private static double Mass(ReadOnlySpan<byte> digit)
    {
        double sum = 0;
        foreach (var v in digit) sum += v;
        return sum / 255;
    }

    private static MnistSplit First(int count) => TestMnist.Test.Take(count);

    [Fact]
    public void ThickAndThinPensComeOutWithAboutMnistsInk()
    {
        // the same 200 test digits in three pens: raw, their ink differs threefold; normalised, it is close
        var mnist = First(200);
        var thick = PenTest.Restroked(mnist, PenTest.ThickRadius);
        var thin = PenTest.Restroked(mnist, PenTest.ThinRadius);
        double Mean(MnistSplit s, bool normalise) =>
            Enumerable.Range(0, s.Count).Average(i => Mass(normalise ? StrokeNormalisation.Apply(s.Image(i)) : s.Image(i)));
        double rawRatio = Mean(thick, false) / Mean(thin, false);
        double normalisedRatio = Mean(thick, true) / Mean(thin, true);
        Assert.True(rawRatio > 2.5, $"raw thick/thin ink {rawRatio:0.00}");
        Assert.InRange(normalisedRatio, 0.9, 1.5);
        Assert.InRange(Mean(mnist, true) / Mean(mnist, false), 0.9, 1.15);
    }

    [Fact]
    public void AFatRingKeepsItsHoleAndAHairlineStaysOneStroke()
    {
        // a ring drawn with a fat pen (its hole a few pixels across) and a faint hairline stroke
        var ring = new byte[784];
        var line = new byte[784];
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                double r = Math.Sqrt((x - 13.5) * (x - 13.5) + (y - 13.5) * (y - 13.5));
                ring[y * 28 + x] = (byte)(Math.Clamp(4.5 - Math.Abs(r - 8), 0, 1) * 255);
                if (x == 14 && y is >= 4 and < 24) line[y * 28 + x] = 90;
            }
        var normalisedRing = StrokeNormalisation.Apply(ring);
        Assert.Equal(0, normalisedRing[14 * 28 + 14]);
        // the fat pen's stroke, across the middle row, is about twice as wide as the redrawn one
        int Across(byte[] digit) => Enumerable.Range(0, 14).Count(x => digit[14 * 28 + x] >= 128);
        Assert.True(Across(normalisedRing) * 1.5 < Across(ring), $"stroke {Across(ring)} px wide, then {Across(normalisedRing)}");
        var normalisedLine = StrokeNormalisation.Apply(line);
        // one unbroken stroke, full ink, from the top of the box to its bottom
        var rows = Enumerable.Range(0, 28).Where(y => Enumerable.Range(0, 28).Any(x => normalisedLine[y * 28 + x] >= 128)).ToArray();
        Assert.Equal(rows.Length, rows[^1] - rows[0] + 1);
        Assert.True(rows.Length >= 18, $"the stroke spans {rows.Length} rows");
    }

    [Fact]
    public void DeskewingStandsASlantedDigitUpright()
    {
        var upright = First(100);
        var slanted = PenTest.Slanted(upright, seed: 3);
        double before = Enumerable.Range(0, 100).Average(i => Math.Abs(Deskew.Slope(slanted.Image(i))));
        double after = Enumerable.Range(0, 100).Average(i => Math.Abs(Deskew.Slope(Deskew.Apply(slanted.Image(i)))));
        Assert.True(before > 0.2, $"mean slope before {before:0.000}");
        Assert.True(after < 0.05, $"mean slope after {after:0.000}");
        // a digit leaning right (its top to the right) has a positive slope
        var lean = new byte[784];
        for (int y = 4; y < 24; y++) lean[y * 28 + 14 + (14 - y) / 3] = 255;
        Assert.True(Deskew.Slope(lean) > 0.25);
    }

    [Fact]
    public void TheStepsAreNamedInTheModelsMetadataAndNoOtherWordIsAccepted()
    {
        Assert.Equal("deskew normalise-strokes", new DigitNormalisation(true, true).ToString());
        Assert.Equal(new DigitNormalisation(true, true), DigitNormalisation.Parse("normalise-strokes deskew"));
        Assert.Equal(DigitNormalisation.None, DigitNormalisation.Parse(null));
        Assert.Throws<FormatException>(() => DigitNormalisation.Parse("deskew sharpen"));
        Assert.Same(TestMnist.Test, DigitNormalisation.None.Apply(TestMnist.Test));
    }

    [Fact]
    public void AModelThatNormalisesIsGivenNormalisedPixelsByTheRecognizer()
    {
        var shipped = ModelFile.Load(RepoPaths.ShippedModel);
        var metadata = new Dictionary<string, string>(shipped.Metadata) { [MetadataKeys.Preparation] = "normalise-strokes" };
        var normalising = new LeNet5Model(shipped.Architecture, shipped.Parameters, metadata);
        Assert.Equal(new DigitNormalisation(false, true), normalising.Normalisation);
        var recognizer = new DigitRecognizer(new FailingPreparer(), RejectPolicy.Default);
        var thick = PenTest.Restroked(First(1), PenTest.ThickRadius);
        var pixels = Array.ConvertAll(thick.Image(0).ToArray(), b => (float)b);
        var plain = recognizer.Recognize(shipped, pixels);
        var normalised = recognizer.Recognize(normalising, pixels);
        Assert.Equal(pixels, plain.Pixels);
        Assert.Equal(Array.ConvertAll(StrokeNormalisation.Apply(thick.Image(0)), b => (float)b), normalised.Pixels);
        Assert.Equal(normalising.Predict(StrokeNormalisation.Apply(thick.Image(0))).Probabilities, normalised.Prediction.Probabilities);
    }

    private sealed class FailingPreparer : IDigitPreparer
    {
        public byte[] Prepare(byte[] encoded) => throw new InvalidOperationException("no image was expected");
    }
}
