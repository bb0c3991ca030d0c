using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LeNet5.Core.Preparation;

/// <summary>
/// Turns an image's grey levels into an ink map the way MNIST has it: 0 = background, 255 = full ink.
/// Transparent pixels are composited over a background that contrasts with the visible pixels (a
/// canvas drawing is dark ink on transparent pixels, so there opacity is ink); the polarity (dark ink
/// on light paper or light ink on dark) is read from the border; the levels are then stretched so the
/// background is 0 and the strongest ink 255. The stretch is a table of 256 levels
/// (<see cref="InkLevels"/>), applied only where it is needed: a large image is composited once and
/// then only its ink box is read.
/// </summary>
public static class InkMap
{
    /// <summary>Below this difference between the strongest ink and the background (of 255) the image is blank.</summary>
    public const int MinContrast = 32;

    /// <summary>
    /// Composites a <paramref name="width"/> x <paramref name="height"/> image, given as interleaved
    /// (luminance, alpha) byte pairs, row-major, into <paramref name="grey"/> (one byte per pixel), and
    /// returns the levels that turn those grey levels into ink; null when the image holds no ink.
    /// </summary>
    public static InkLevels? Composite(ReadOnlySpan<byte> luminanceAlpha, int width, int height, Span<byte> grey)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        int pixels = checked(width * height);
        if (luminanceAlpha.Length != 2 * pixels)
            throw new ArgumentException($"expected {2 * pixels} bytes for {width}x{height} (luminance, alpha) pairs", nameof(luminanceAlpha));
        if (grey.Length != pixels) throw new ArgumentException($"expected room for {pixels} grey levels", nameof(grey));

        CompositeOverContrast(luminanceAlpha, grey);
        bool darkOnLight = BorderMedian(grey, width, height, inverted: false) >= 128;
        int background = BorderMedian(grey, width, height, inverted: darkOnLight);
        int strongest = darkOnLight ? 255 - TensorPrimitives.Min<byte>(grey) : TensorPrimitives.Max<byte>(grey);
        int range = strongest - background;
        return range < MinContrast ? null : new InkLevels(darkOnLight, background, range);
    }

    /// <summary>The whole ink map of an image given as (luminance, alpha) pairs; null when it holds no ink.</summary>
    public static byte[]? FromLuminanceAlpha(ReadOnlySpan<byte> luminanceAlpha, int width, int height)
    {
        var ink = new byte[checked(width * height)];
        if (Composite(luminanceAlpha, width, height, ink) is not { } levels) return null;
        levels.Apply(ink);
        return ink;
    }

    /// <summary>Composites over white when the visible pixels are mostly dark, over black otherwise.</summary>
    private static void CompositeOverContrast(ReadOnlySpan<byte> la, Span<byte> grey)
    {
        // an opaque pixel composites to its own luminance whatever the background: (l 255 + 127) / 255 = l
        var (weighted, opacity) = Opacity(MemoryMarshal.Cast<byte, ushort>(la));
        int background = opacity == 0 || weighted < 128 * opacity ? 255 : 0;
        var pairs = MemoryMarshal.Cast<byte, ushort>(la);
        int done = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // the same arithmetic as below, 64 pixels a step where the CPU has 512-bit vectors
            var low = Vector512.Create((ushort)0xFF);
            var full = Vector512.Create((ushort)255);
            var paper = Vector512.Create((ushort)background);
            var half = Vector512.Create((ushort)127);
            for (; done + 64 <= grey.Length; done += 64)
            {
                var first = Blend(Vector512.Create(pairs.Slice(done, 32)));
                var second = Blend(Vector512.Create(pairs.Slice(done + 32, 32)));
                Vector512.Narrow(first, second).CopyTo(grey.Slice(done, 64));
            }

            Vector512<ushort> Blend(Vector512<ushort> pair)
            {
                var (l, a) = (pair & low, pair >> 8);
                var x = (l * a) + (paper * (full - a)) + half;
                return (x + Vector512<ushort>.One + (x >> 8)) >> 8;
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            // (l a + b (255 - a) + 127) / 255 in 16 bits: the sum is at most 65,152, where x / 255 = (x + 1 + (x >> 8)) >> 8 exactly
            var low = Vector256.Create((ushort)0xFF);
            var full = Vector256.Create((ushort)255);
            var paper = Vector256.Create((ushort)background);
            var half = Vector256.Create((ushort)127);
            for (; done + 32 <= grey.Length; done += 32)
            {
                var first = Blend(Vector256.Create(pairs.Slice(done, 16)));
                var second = Blend(Vector256.Create(pairs.Slice(done + 16, 16)));
                Vector256.Narrow(first, second).CopyTo(grey.Slice(done, 32));
            }

            Vector256<ushort> Blend(Vector256<ushort> pair)
            {
                var (l, a) = (pair & low, pair >> 8);
                var x = (l * a) + (paper * (full - a)) + half;
                return (x + Vector256<ushort>.One + (x >> 8)) >> 8;
            }
        }
        for (int i = done, p = 2 * done; i < grey.Length; i++, p += 2)
        {
            int a = la[p + 1];
            grey[i] = (byte)((la[p] * a + background * (255 - a) + 127) / 255);
        }
    }

    /// <summary>The sums of luminance times alpha and of alpha over (luminance, alpha) pairs.</summary>
    internal static (long Weighted, long Opacity) Opacity(ReadOnlySpan<ushort> pairs)
    {
        long weighted = 0, opacity = 0;
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            // the same sums as below, 32 pairs a step where the CPU has 512-bit vectors
            var low = Vector512.Create((ushort)0xFF);
            while (i + 32 <= pairs.Length)
            {
                Vector512<uint> products = default, alphas = default;
                for (int steps = 0; steps < 2048 && i + 32 <= pairs.Length; steps++, i += 32)
                {
                    var v = Vector512.Create(pairs.Slice(i, 32));
                    var (l, a) = (v & low, v >> 8);
                    var (p0, p1) = Vector512.Widen(l * a);
                    var (a0, a1) = Vector512.Widen(a);
                    products += p0 + p1;
                    alphas += a0 + a1;
                }
                weighted += (long)Vector512.Sum(Vector512.WidenLower(products) + Vector512.WidenUpper(products));
                opacity += (long)Vector512.Sum(Vector512.WidenLower(alphas) + Vector512.WidenUpper(alphas));
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var low = Vector256.Create((ushort)0xFF);
            // 32-bit lanes hold at most 2,048 steps of 2 x 65,025 each before they are added into the 64-bit totals
            while (i + 16 <= pairs.Length)
            {
                Vector256<uint> products = default, alphas = default;
                for (int steps = 0; steps < 2048 && i + 16 <= pairs.Length; steps++, i += 16)
                {
                    var v = Vector256.Create(pairs.Slice(i, 16));
                    var (l, a) = (v & low, v >> 8);
                    var (p0, p1) = Vector256.Widen(l * a);
                    var (a0, a1) = Vector256.Widen(a);
                    products += p0 + p1;
                    alphas += a0 + a1;
                }
                weighted += Sum(products);
                opacity += Sum(alphas);
            }
        }
        for (; i < pairs.Length; i++)
        {
            int l = pairs[i] & 0xFF, a = pairs[i] >> 8;
            weighted += l * a;
            opacity += a;
        }
        return (weighted, opacity);

        static long Sum(Vector256<uint> lanes)
        {
            var (low, high) = Vector256.Widen(lanes);
            return (long)Vector256.Sum(low + high);
        }
    }

    /// <summary>The median level of the one-pixel frame around the image (of the inverted levels when <paramref name="inverted"/>).</summary>
    internal static int BorderMedian(ReadOnlySpan<byte> grey, int width, int height, bool inverted)
    {
        Span<int> histogram = stackalloc int[256];
        int count = 0, flip = inverted ? 255 : 0;
        for (int y = 0; y < height; y++)
        {
            bool edgeRow = y == 0 || y == height - 1;
            int step = edgeRow ? 1 : Math.Max(1, width - 1);
            for (int x = 0; x < width; x += step)
            {
                histogram[grey[y * width + x] ^ flip]++;
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
}

/// <summary>
/// How an image's composited grey levels become ink: inverted when the ink is dark on light, then
/// stretched so the background is 0 and the strongest ink 255. Monotonic, so the grey levels that
/// reach a given ink level form one range.
/// </summary>
public readonly record struct InkLevels(bool Inverted, int Background, int Range)
{
    /// <summary>The ink level of one grey level.</summary>
    public byte this[int grey]
    {
        get
        {
            int v = Inverted ? 255 - grey : grey;
            return (byte)Math.Clamp(((v - Background) * 255 + Range / 2) / Range, 0, 255);
        }
    }

    /// <summary>The table of all 256 levels.</summary>
    public void Fill(Span<byte> table)
    {
        if (table.Length != 256) throw new ArgumentException("a level table has 256 entries", nameof(table));
        for (int g = 0; g < 256; g++) table[g] = this[g];
    }

    /// <summary>Turns grey levels into ink in place.</summary>
    public void Apply(Span<byte> grey)
    {
        Span<byte> table = stackalloc byte[256];
        Fill(table);
        for (int i = 0; i < grey.Length; i++) grey[i] = table[grey[i]];
    }

    /// <summary>The grey levels whose ink is at least <paramref name="ink"/>: one range, since the levels are monotonic.</summary>
    public (byte Low, byte High) GreyReaching(byte ink)
    {
        int low = 256, high = -1;
        for (int g = 0; g < 256; g++)
        {
            if (this[g] < ink) continue;
            low = Math.Min(low, g);
            high = g;
        }
        return high < 0 ? ((byte)255, (byte)0) : ((byte)low, (byte)high);
    }
}
