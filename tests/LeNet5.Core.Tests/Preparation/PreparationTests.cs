using LeNet5.Core.Preparation;

namespace LeNet5.Core.Tests;

/// <summary>The arithmetic that makes an image's ink look like an MNIST digit.</summary>
public sealed class PreparationTests
{
    private static byte[] LuminanceAlpha(byte[] luminance, byte alpha = 255) =>
        luminance.SelectMany(l => new[] { l, alpha }).ToArray();

    [Fact]
    public void DarkInkOnLightAndLightInkOnDarkGiveTheSameInk()
    {
        var light = new byte[16 * 16];
        Array.Fill(light, (byte)230);
        light[5 * 16 + 7] = 20;
        var dark = light.Select(v => (byte)(255 - v)).ToArray();
        var a = InkMap.FromLuminanceAlpha(LuminanceAlpha(light), 16, 16)!;
        var b = InkMap.FromLuminanceAlpha(LuminanceAlpha(dark), 16, 16)!;
        Assert.Equal(a, b);
        Assert.Equal(255, a[5 * 16 + 7]);
        Assert.Equal(0, a[0]);
    }

    [Fact]
    public void OnTransparentPixelsOpacityIsInk()
    {
        // black at 60% opacity on transparent: ink of 60%, stretched to full
        var la = new byte[2 * 8 * 8];
        la[2 * 27 + 1] = 153;
        la[2 * 28 + 1] = 255;
        var ink = InkMap.FromLuminanceAlpha(la, 8, 8)!;
        Assert.Equal(255, ink[28]);
        Assert.InRange(ink[27], 150, 156);
        Assert.Equal(0, ink[0]);
    }

    [Fact]
    public void BlankAndLowContrastImagesHaveNoInk()
    {
        Assert.Null(InkMap.FromLuminanceAlpha(new byte[2 * 10 * 10], 10, 10)); // all transparent
        var faint = new byte[100];
        Array.Fill(faint, (byte)200);
        faint[55] = 190;
        Assert.Null(InkMap.FromLuminanceAlpha(LuminanceAlpha(faint), 10, 10));
    }

    [Fact]
    public void TheInkBoxHoldsEveryInkPixel()
    {
        var ink = new byte[10 * 8];
        ink[2 * 10 + 3] = 200;
        ink[6 * 10 + 8] = 90;
        ink[7 * 10 + 1] = 10; // too faint to count
        Assert.Equal(new InkBox(3, 2, 6, 5), InkBox.Find(ink, 10, 8));
        Assert.Null(InkBox.Find(new byte[80], 10, 8));
        Assert.Equal([200, 0], new InkBox(3, 2, 2, 1).Crop(ink, 10));
    }

    [Theory]
    [InlineData(100, 400, 5, 20)]
    [InlineData(400, 100, 20, 5)]
    [InlineData(3, 3, 20, 20)]
    [InlineData(1, 500, 1, 20)]
    public void FittingKeepsTheAspectRatioInTwentyByTwenty(int width, int height, int fitWidth, int fitHeight) =>
        Assert.Equal((fitWidth, fitHeight), MnistLayout.FitSize(width, height));

    [Theory]
    [InlineData(20, 20, 4, 3, 8, 12)] // a full box whose ink leans to the top left
    [InlineData(6, 8, 0, 0, 6, 8)]    // a small solid block
    [InlineData(12, 20, 0, 10, 12, 10)] // a tall box with all its ink in the lower half
    public void PlacingPutsTheCentreOfMassAtTheCentre(int width, int height, int inkX, int inkY, int inkWidth, int inkHeight)
    {
        var fitted = new byte[width * height];
        for (int y = inkY; y < inkY + inkHeight; y++)
            for (int x = inkX; x < inkX + inkWidth; x++)
                fitted[y * width + x] = 255;
        var field = MnistLayout.PlaceCentred(fitted, width, height);
        var (cx, cy) = MnistLayout.CentreOfMass(field, 28, 28)!.Value;
        Assert.InRange(cx, MnistLayout.Centre - 0.5, MnistLayout.Centre + 0.5);
        Assert.InRange(cy, MnistLayout.Centre - 0.5, MnistLayout.Centre + 0.5);
        Assert.Equal(inkWidth * inkHeight * 255, field.Sum(v => v));
    }

    [Fact]
    public void PlacingNeverCutsTheDigit()
    {
        // all the mass at one edge of a full-width box: the shift is clamped
        var fitted = new byte[20 * 20];
        for (int y = 0; y < 20; y++) fitted[y * 20] = 255;
        var field = MnistLayout.PlaceCentred(fitted, 20, 20);
        Assert.Equal(20 * 255, field.Sum(v => v));
    }

    [Fact]
    public void StretchingMakesTheStrongestInkFull()
    {
        byte[] ink = [0, 20, 40];
        MnistLayout.StretchToFullInk(ink);
        Assert.Equal([0, 128, 255], ink);
    }

    [Theory]
    [InlineData(7, 5)]
    [InlineData(1000, 1)]
    [InlineData(4096, 3)]
    [InlineData(300, 301)] // more steps than the vectorised sums take before they widen into the totals
    public void TheVectorisedCompositeMatchesThePlainFormula(int width, int height)
    {
        var random = new Random(width + height);
        var la = new byte[2 * width * height];
        random.NextBytes(la);
        for (int i = 1; i < la.Length; i += 6) la[i] = 255; // some opaque pixels among the translucent
        var grey = new byte[width * height];
        Assert.NotNull(InkMap.Composite(la, width, height, grey));

        // the plain definition: composite over white when the visible pixels are mostly dark, over black otherwise
        long weighted = 0, opacity = 0;
        for (int i = 0; i < grey.Length; i++) (weighted, opacity) = (weighted + la[2 * i] * la[2 * i + 1], opacity + la[2 * i + 1]);
        Assert.Equal((weighted, opacity), InkMap.Opacity(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(la)));
        int background = opacity == 0 || weighted < 128 * opacity ? 255 : 0;
        var expected = new byte[grey.Length];
        for (int i = 0; i < grey.Length; i++)
            expected[i] = (byte)((la[2 * i] * la[2 * i + 1] + background * (255 - la[2 * i + 1]) + 127) / 255);
        Assert.Equal(expected, grey);
    }

    [Fact]
    public void InkLevelsAreMonotonicAndTheirInkRangeIsExact()
    {
        foreach (var levels in new[] { new InkLevels(false, 10, 200), new InkLevels(true, 30, 120) })
        {
            var (low, high) = levels.GreyReaching(InkBox.DefaultThreshold);
            for (int g = 0; g < 256; g++)
                Assert.Equal(levels[g] >= InkBox.DefaultThreshold, g >= low && g <= high);
        }
    }

    private static readonly byte[] Identity = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

    [Fact]
    public void ShrinkingAveragesTheAreaEachOutputCovers()
    {
        // a 4x2 region shrunk to 2x1: each output is the mean of a 2x2 block
        byte[] image = [0, 0, 0, 0, 0, 0,
                          0, 10, 30, 100, 200, 0,
                          0, 50, 70, 140, 160, 0];
        var target = new byte[2];
        Resampler.Resize(image, 6, new InkBox(1, 1, 4, 2), Identity, target, 2, 1);
        Assert.Equal([40, 150], target);

        // a scale factor that is no whole number: 3 -> 2 weighs the middle pixel half into each output
        var three = new byte[2];
        Resampler.Resize([0, 90, 180], 3, new InkBox(0, 0, 3, 1), Identity, three, 2, 1);
        Assert.Equal([30, 150], three);
    }

    [Theory]
    [InlineData(300, 200, 20, 13)]
    [InlineData(7, 9, 16, 20)]
    [InlineData(20, 20, 20, 20)]
    [InlineData(1, 40, 1, 20)]
    public void AFlatRegionStaysFlatAtAnyScale(int width, int height, int newWidth, int newHeight)
    {
        var image = Enumerable.Repeat((byte)97, width * height).ToArray();
        var target = new byte[newWidth * newHeight];
        Resampler.Resize(image, width, new InkBox(0, 0, width, height), Identity, target, newWidth, newHeight);
        Assert.All(target, v => Assert.Equal(97, v));
    }

    [Fact]
    public void ShrinkingKeepsTheInk()
    {
        // the ink's mean level survives any shrink: area averaging neither loses nor invents ink
        var random = new Random(5);
        var image = new byte[233 * 171];
        random.NextBytes(image);
        var target = new byte[20 * 15];
        Resampler.Resize(image, 233, new InkBox(0, 0, 233, 171), Identity, target, 20, 15);
        Assert.InRange(target.Average(v => v) - image.Average(v => v), -0.6, 0.6);
    }

    [Fact]
    public void LevelsAreReadThroughTheTable()
    {
        var inverted = Enumerable.Range(0, 256).Select(i => (byte)(255 - i)).ToArray();
        var target = new byte[1];
        Resampler.Resize([0, 0, 0, 0], 2, new InkBox(0, 0, 2, 2), inverted, target, 1, 1);
        Assert.Equal(255, target[0]);
    }

    [Fact]
    public void TheResizeMatchesThePlainOneToTheBit()
    {
        // sparse strokes on background, as a drawing's ink box holds, through level tables whose ink is one range
        // (as InkLevels makes them), several ranges, none, and every level
        var random = new Random(11);
        var tables = new List<byte[]> { Identity, new byte[256], Enumerable.Range(0, 256).Select(g => (byte)(g % 3 == 0 ? 0 : g)).ToArray() };
        foreach (var levels in new[] { new InkLevels(false, 0, 255), new InkLevels(true, 20, 200), new InkLevels(false, 90, 40) })
        {
            var table = new byte[256];
            levels.Fill(table);
            tables.Add(table);
        }
        for (int trial = 0; trial < 300; trial++)
        {
            int width = random.Next(1, 90), height = random.Next(1, 90);
            var image = new byte[width * height];
            for (int strokes = random.Next(4); strokes > 0; strokes--)
            {
                int y = random.Next(height), x = random.Next(width), length = random.Next(1, width - x + 1);
                random.NextBytes(image.AsSpan(y * width + x, length));
            }
            if (trial % 10 == 0) random.NextBytes(image);
            int left = random.Next(width), top = random.Next(height);
            var box = new InkBox(left, top, random.Next(1, width - left + 1), random.Next(1, height - top + 1));
            int newWidth = random.Next(1, 29), newHeight = random.Next(1, 29);
            var table = tables[trial % tables.Count];
            var fast = new byte[newWidth * newHeight];
            var plain = new byte[newWidth * newHeight];
            Resampler.Resize(image, width, box, table, fast, newWidth, newHeight);
            PlainPreparation.Resize(image, width, box, table, plain, newWidth, newHeight);
            Assert.Equal(plain, fast);
        }
    }
}
