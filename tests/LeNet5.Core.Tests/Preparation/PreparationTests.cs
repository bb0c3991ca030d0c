using LeNet5.Core.Preparation;

namespace LeNet5.Core.Tests;

/// <summary>The arithmetic that makes a picture's ink look like an MNIST digit.</summary>
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
    public void BlankAndLowContrastPicturesHaveNoInk()
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
}
