namespace LeNet5.Core.Preparation;

/// <summary>
/// Turns a picture's grey levels into an ink map the way MNIST has it: 0 = background, 255 = full ink.
/// Transparent pixels are composited over a background that contrasts with the visible pixels (a
/// canvas drawing is dark ink on transparent pixels, so there opacity is ink); the polarity (dark ink
/// on light paper or light ink on dark) is read from the border; the levels are then stretched so the
/// background is 0 and the strongest ink 255.
/// </summary>
public static class InkMap
{
    /// <summary>Below this difference between the strongest ink and the background (of 255) the picture is blank.</summary>
    public const int MinContrast = 32;

    /// <summary>
    /// Builds the ink map of a <paramref name="width"/> x <paramref name="height"/> picture given as
    /// interleaved (luminance, alpha) byte pairs, row-major. Returns null when the picture holds no ink.
    /// </summary>
    public static byte[]? FromLuminanceAlpha(ReadOnlySpan<byte> luminanceAlpha, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int pixels = checked(width * height);
        if (luminanceAlpha.Length != 2 * pixels)
            throw new ArgumentException($"expected {2 * pixels} bytes for {width}x{height} (luminance, alpha) pairs", nameof(luminanceAlpha));

        var grey = new byte[pixels];
        Composite(luminanceAlpha, grey);
        bool darkOnLight = BorderMedian(grey, width, height) >= 128;
        if (darkOnLight)
        {
            for (int i = 0; i < grey.Length; i++) grey[i] = (byte)(255 - grey[i]);
        }
        return Stretch(grey, BorderMedian(grey, width, height)) ? grey : null;
    }

    /// <summary>Composites over white when the visible pixels are mostly dark, over black otherwise.</summary>
    private static void Composite(ReadOnlySpan<byte> la, Span<byte> grey)
    {
        long weighted = 0, opacity = 0;
        bool translucent = false;
        for (int i = 0; i < grey.Length; i++)
        {
            int a = la[2 * i + 1];
            weighted += la[2 * i] * a;
            opacity += a;
            translucent |= a != 255;
        }
        if (!translucent)
        {
            for (int i = 0; i < grey.Length; i++) grey[i] = la[2 * i];
            return;
        }
        int background = opacity == 0 || weighted < 128 * opacity ? 255 : 0;
        for (int i = 0; i < grey.Length; i++)
        {
            int a = la[2 * i + 1];
            grey[i] = (byte)((la[2 * i] * a + background * (255 - a) + 127) / 255);
        }
    }

    /// <summary>The median level of the one-pixel frame around the picture.</summary>
    internal static int BorderMedian(ReadOnlySpan<byte> grey, int width, int height)
    {
        Span<int> histogram = stackalloc int[256];
        int count = 0;
        for (int y = 0; y < height; y++)
        {
            bool edgeRow = y == 0 || y == height - 1;
            int step = edgeRow ? 1 : Math.Max(1, width - 1);
            for (int x = 0; x < width; x += step)
            {
                histogram[grey[y * width + x]]++;
                count++;
            }
        }
        int seen = 0;
        for (int level = 0; level < 256; level++)
        {
            seen += histogram[level];
            if (2 * seen >= count) return level;
        }
        return 255;
    }

    /// <summary>Maps the background level to 0 and the strongest ink to 255; false when the contrast is too low.</summary>
    private static bool Stretch(Span<byte> ink, int background)
    {
        int max = 0;
        foreach (var v in ink) max = Math.Max(max, v);
        int range = max - background;
        if (range < MinContrast) return false;
        for (int i = 0; i < ink.Length; i++)
            ink[i] = (byte)Math.Clamp(((ink[i] - background) * 255 + range / 2) / range, 0, 255);
        return true;
    }
}
