using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LeNet5.Imaging;

/// <summary>Unfiltered PNG rows to (luminance, alpha) pairs, for every bit depth, colour type, palette and colour key.</summary>
internal static class PngPixels
{
    /// <summary>
    /// One unfiltered row of <paramref name="width"/> pixels as (luminance, alpha) pairs, with ImageSharp's
    /// La16 rounding so that both decoders agree to the bit: luminance is BT.709, 16-bit samples are
    /// scaled down with rounding, samples below 8 bits are scaled up to 0-255, and a colour key's pixels get alpha 0.
    /// </summary>
    public static void ToLuminanceAlpha(ReadOnlySpan<byte> row, in PngLayout layout, int width, Span<byte> la)
    {
        var header = layout.Header;
        if (header.Depth == 8 && !layout.HasColourKey && header.ColourType != 3)
        {
            ToLuminanceAlpha8(row[..(width * header.Channels)], header.Channels, la);
            return;
        }
        long key = layout.ColourKey;
        switch (header.ColourType)
        {
            case 0:
                int scale = header.Depth < 8 ? 255 / ((1 << header.Depth) - 1) : 1;
                for (int x = 0; x < width; x++)
                {
                    int sample = Sample(row, x, header.Depth);
                    (la[2 * x], la[2 * x + 1]) = (header.Depth == 16 ? Down(sample) : (byte)(sample * scale), sample == key ? (byte)0 : (byte)255);
                }
                break;
            case 3:
                var palette = layout.Palette!;
                for (int x = 0; x < width; x++)
                {
                    int entry = Sample(row, x, header.Depth);
                    if (entry >= layout.PaletteSize) throw PngReader.Damaged("a pixel names a colour its palette (PLTE) does not have");
                    (la[2 * x], la[2 * x + 1]) = (palette[2 * entry], palette[2 * entry + 1]);
                }
                break;
            case 2 when header.Depth == 8:
                for (int x = 0, p = 0; x < width; x++, p += 3)
                {
                    long colour = ((long)row[p] << 32) | ((long)row[p + 1] << 16) | row[p + 2];
                    (la[2 * x], la[2 * x + 1]) = (Luminance(row[p], row[p + 1], row[p + 2]), colour == key ? (byte)0 : (byte)255);
                }
                break;
            case 2:
                for (int x = 0, p = 0; x < width; x++, p += 6)
                {
                    int r = Word(row, p), g = Word(row, p + 2), b = Word(row, p + 4);
                    (la[2 * x], la[2 * x + 1]) = (Luminance16(r, g, b), (((long)r << 32) | ((long)g << 16) | (uint)b) == key ? (byte)0 : (byte)255);
                }
                break;
            case 4:
                for (int x = 0, p = 0; x < width; x++, p += 4) (la[2 * x], la[2 * x + 1]) = (Down(Word(row, p)), Down(Word(row, p + 2)));
                break;
            default:
                for (int x = 0, p = 0; x < width; x++, p += 8) (la[2 * x], la[2 * x + 1]) = (Luminance16(Word(row, p), Word(row, p + 2), Word(row, p + 4)), Down(Word(row, p + 6)));
                break;
        }
    }

    /// <summary>The <paramref name="x"/>th sample of a row of one-channel samples of <paramref name="depth"/> bits, packed from the high bit down.</summary>
    private static int Sample(ReadOnlySpan<byte> row, int x, int depth) => depth switch
    {
        8 => row[x],
        16 => Word(row, 2 * x),
        _ => (row[x * depth / 8] >> (8 - depth - (x * depth % 8))) & ((1 << depth) - 1),
    };

    private static int Word(ReadOnlySpan<byte> row, int at) => BinaryPrimitives.ReadUInt16BigEndian(row[at..]);

    /// <summary>A 16-bit sample to 8 bits, rounded (ImageSharp's DownScaleFrom16BitTo8Bit).</summary>
    private static byte Down(int sample) => (byte)(((sample * 255) + 32895) >> 16);

    /// <summary>BT.709 luminance of a 16-bit colour, in 16 bits, then scaled down.</summary>
    private static byte Luminance16(int r, int g, int b) => Down((ushort)((r * .2126F) + (g * .7152F) + (b * .0722F) + 0.5F));

    /// <summary>8-bit RGBA pixels, not premultiplied, as (luminance, alpha) pairs, rounded as PNG's: for the other decoders' pixels.</summary>
    public static void RgbaToLuminanceAlpha8(ReadOnlySpan<byte> rgba, Span<byte> la) => ToLuminanceAlpha8(rgba, 4, la);

    /// <summary>One row of 8-bit samples, 1 to 4 channels and no colour key, as (luminance, alpha) pairs.</summary>
    private static void ToLuminanceAlpha8(ReadOnlySpan<byte> row, int channels, Span<byte> la)
    {
        switch (channels)
        {
            case 1:
                for (int x = 0; x < row.Length; x++) (la[2 * x], la[2 * x + 1]) = (row[x], 255);
                break;
            case 2:
                row.CopyTo(la);
                break;
            case 3:
                for (int x = 0, p = 0; p < row.Length; x++, p += 3) (la[2 * x], la[2 * x + 1]) = (Luminance(row[p], row[p + 1], row[p + 2]), 255);
                break;
            default:
                int done = Vector256.IsHardwareAccelerated ? RgbaToLuminanceAlpha(row, la) : 0;
                for (int x = done, p = 4 * done; p < row.Length; x++, p += 4) (la[2 * x], la[2 * x + 1]) = (Luminance(row[p], row[p + 1], row[p + 2]), row[p + 3]);
                break;
        }
    }

    /// <summary>
    /// Eight RGBA pixels at a time, sixteen where the CPU has 512-bit vectors (the black pixels of a canvas
    /// drawing are then moved twice as fast). Returns the pixels done.
    /// </summary>
    private static int RgbaToLuminanceAlpha(ReadOnlySpan<byte> rgba, Span<byte> la)
    {
        var pixels = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(rgba);
        int x = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; x + 16 <= pixels.Length; x += 16)
            {
                var p = Vector512.Create(pixels.Slice(x, 16));
                if ((p & Vector512.Create(0xFFFFFFu)) == Vector512<uint>.Zero)
                {
                    var alpha = (p >> 24) << 8;
                    Vector256.Narrow(alpha.GetLower(), alpha.GetUpper()).AsByte().CopyTo(la.Slice(2 * x, 32));
                    continue;
                }
                EightToLuminanceAlpha(p.GetLower(), la.Slice(2 * x, 16));
                EightToLuminanceAlpha(p.GetUpper(), la.Slice(2 * x + 16, 16));
            }
        }
        for (; x + 8 <= pixels.Length; x += 8) EightToLuminanceAlpha(Vector256.Create(pixels.Slice(x, 8)), la.Slice(2 * x, 16));
        return x;
    }

    /// <summary>
    /// Eight RGBA pixels: the same float products and sums in the same order as <see cref="Luminance"/>
    /// (no fused multiply-add), so the rounding is the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void EightToLuminanceAlpha(Vector256<uint> p, Span<byte> la)
    {
        var alpha = (p >> 24) << 8;
        var pairs = alpha;
        // black or transparent pixels, nearly all of a canvas drawing's, have luminance 0 (as Luminance has it): no float work
        if ((p & Vector256.Create(0xFFFFFFu)) != Vector256<uint>.Zero)
        {
            var low = Vector256.Create(0xFFu);
            var r = Vector256.ConvertToSingle((p & low).AsInt32());
            var g = Vector256.ConvertToSingle(((p >> 8) & low).AsInt32());
            var b = Vector256.ConvertToSingle(((p >> 16) & low).AsInt32());
            var l = Vector256.ConvertToInt32(((r * Vector256.Create(.2126F)) + (g * Vector256.Create(.7152F))) + (b * Vector256.Create(.0722F)) + Vector256.Create(0.5F));
            pairs |= l.AsUInt32();
        }
        Vector128.Narrow(pairs.GetLower(), pairs.GetUpper()).AsByte().CopyTo(la);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte Luminance(byte r, byte g, byte b) =>
        (r | g | b) == 0 ? (byte)0 : (byte)((r * .2126F) + (g * .7152F) + (b * .0722F) + 0.5F);
}
