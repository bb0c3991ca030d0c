namespace LeNet5.Core.Preparation;

/// <summary>A rectangle of pixels: the bounding box of the ink.</summary>
public readonly record struct InkBox(int X, int Y, int Width, int Height)
{
    /// <summary>Pixels at or above this level (of 255) count as ink for the bounding box.</summary>
    public const byte DefaultThreshold = 64;

    /// <summary>The smallest box holding every pixel at or above <paramref name="threshold"/>; null when there is none.</summary>
    public static InkBox? Find(ReadOnlySpan<byte> ink, int width, int height, byte threshold = DefaultThreshold) =>
        Find(ink, width, height, threshold, byte.MaxValue);

    /// <summary>The smallest box holding every pixel whose level is in [<paramref name="low"/>, <paramref name="high"/>]; null when there is none.</summary>
    public static InkBox? Find(ReadOnlySpan<byte> levels, int width, int height, byte low, byte high)
    {
        if (levels.Length != width * height) throw new ArgumentException($"expected {width * height} pixels", nameof(levels));
        if (low > high) return null;
        int left = width, right = -1, top = height, bottom = -1;
        for (int y = 0; y < height; y++)
        {
            var row = levels.Slice(y * width, width);
            int first = row.IndexOfAnyInRange(low, high);
            if (first < 0) continue;
            int last = row.LastIndexOfAnyInRange(low, high);
            left = Math.Min(left, first);
            right = Math.Max(right, last);
            top = Math.Min(top, y);
            bottom = y;
        }
        return right < 0 ? null : new InkBox(left, top, right - left + 1, bottom - top + 1);
    }

    /// <summary>Copies this box out of a <paramref name="width"/>-wide image.</summary>
    public byte[] Crop(ReadOnlySpan<byte> image, int width)
    {
        var crop = new byte[Width * Height];
        for (int y = 0; y < Height; y++)
            image.Slice((Y + y) * width + X, Width).CopyTo(crop.AsSpan(y * Width, Width));
        return crop;
    }
}
