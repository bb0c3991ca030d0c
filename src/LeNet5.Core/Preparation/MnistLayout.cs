namespace LeNet5.Core.Preparation;

/// <summary>
/// How MNIST laid its digits out: the ink fitted into a 20x20 box keeping its aspect ratio, then
/// placed in a 28x28 field so that its centre of mass falls on the field's centre.
/// </summary>
public static class MnistLayout
{
    public const int Side = 28;
    public const int Pixels = Side * Side;
    public const int Box = 20;

    /// <summary>
    /// Where the centre of mass goes, in pixel coordinates (a pixel's centre is at its index): MNIST's
    /// own test digits average (14.0, 14.0), the field's centre as 28 / 2.
    /// </summary>
    public const double Centre = Side / 2.0;

    /// <summary>
    /// Lays a composited image out as MNIST did: its ink box (the pixels whose ink reaches
    /// <see cref="InkBox.DefaultThreshold"/>) fitted into the 20x20 box keeping its aspect ratio,
    /// stretched to full ink, and centred by mass in the 28x28 field. Null when no pixel is ink.
    /// </summary>
    public static byte[]? Lay(ReadOnlySpan<byte> grey, int width, int height, InkLevels levels)
    {
        var (low, high) = levels.GreyReaching(InkBox.DefaultThreshold);
        if (InkBox.Find(grey, width, height, low, high) is not { } box) return null;
        var (fitWidth, fitHeight) = FitSize(box.Width, box.Height);
        Span<byte> table = stackalloc byte[256];
        levels.Fill(table);
        Span<byte> fitted = stackalloc byte[fitWidth * fitHeight];
        Resampler.Resize(grey, width, box, table, fitted, fitWidth, fitHeight);
        StretchToFullInk(fitted);
        return PlaceCentred(fitted, fitWidth, fitHeight);
    }

    /// <summary>The size a <paramref name="width"/> x <paramref name="height"/> ink box takes when fitted into the 20x20 box.</summary>
    public static (int Width, int Height) FitSize(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        return width >= height
            ? (Box, Math.Clamp((int)Math.Round((double)height * Box / width), 1, Box))
            : (Math.Clamp((int)Math.Round((double)width * Box / height), 1, Box), Box);
    }

    /// <summary>
    /// Scales the levels so the strongest ink is 255, as it is in every MNIST digit: a thin pen
    /// shrunk into the 20x20 box would otherwise come out faint.
    /// </summary>
    public static void StretchToFullInk(Span<byte> ink)
    {
        int peak = 0;
        foreach (var v in ink) peak = Math.Max(peak, v);
        if (peak is 0 or 255) return;
        for (int i = 0; i < ink.Length; i++) ink[i] = (byte)((ink[i] * 255 + peak / 2) / peak);
    }

    /// <summary>The ink-weighted centre of an image, in pixel coordinates; null when it has no ink.</summary>
    public static (double X, double Y)? CentreOfMass(ReadOnlySpan<byte> ink, int width, int height)
    {
        if (ink.Length != width * height) throw new ArgumentException($"expected {width * height} pixels", nameof(ink));
        long mass = 0, sx = 0, sy = 0;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int v = ink[y * width + x];
                mass += v;
                sx += (long)v * x;
                sy += (long)v * y;
            }
        return mass == 0 ? null : ((double)sx / mass, (double)sy / mass);
    }

    /// <summary>
    /// Places a fitted digit (at most 28x28) in a 28x28 field, shifted by whole pixels so its centre
    /// of mass is as near the field's centre as the field allows (the digit is never cut).
    /// </summary>
    public static byte[] PlaceCentred(ReadOnlySpan<byte> fitted, int width, int height)
    {
        if (width is < 1 or > Side || height is < 1 or > Side)
            throw new ArgumentOutOfRangeException(nameof(width), $"a {width}x{height} digit does not fit in {Side}x{Side}");
        var (cx, cy) = CentreOfMass(fitted, width, height) ?? ((width - 1) / 2.0, (height - 1) / 2.0);
        int left = Math.Clamp((int)Math.Round(Centre - cx, MidpointRounding.AwayFromZero), 0, Side - width);
        int top = Math.Clamp((int)Math.Round(Centre - cy, MidpointRounding.AwayFromZero), 0, Side - height);
        var field = new byte[Pixels];
        for (int y = 0; y < height; y++)
            fitted.Slice(y * width, width).CopyTo(field.AsSpan((top + y) * Side + left, width));
        return field;
    }
}
