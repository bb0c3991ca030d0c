using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LeNet5.Imaging;

/// <summary>
/// The fast path for the pictures the drawing page and most scripts send: a non-interlaced 8-bit PNG
/// (grey, grey+alpha, RGB or RGBA, no colour key) read straight into (luminance, alpha) pairs, row by
/// row, with .NET's zlib and a vectorised Paeth filter. ImageSharp's general decoder spends most of a
/// canvas drawing's time on its scanline machinery; this path reads the same pixels in a fraction of
/// it. It declines (returns false) anything it does not handle exactly as ImageSharp would, including
/// every malformed file, so ImageSharp stays the one judge of what is valid and what each error says.
/// </summary>
internal static class PngScanlines
{
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Rows inflated and unfiltered together: four Paeth rows run as four interleaved chains.</summary>
    private const int BlockRows = 4;

    /// <summary>The largest picture taken here (1 megapixel); a larger one goes to ImageSharp and its capped allocator.</summary>
    public const int MaxPixels = 1 << 20;

    /// <summary>
    /// Decodes <paramref name="png"/> into <paramref name="luminanceAlpha"/> (rented from the shared pool, 2 bytes per pixel;
    /// the caller returns it), or returns false and rents nothing when the picture is not one this path takes.
    /// </summary>
    public static bool TryDecode(byte[] png, ImageLimits limits, out int width, out int height, out byte[] luminanceAlpha)
    {
        width = height = 0;
        luminanceAlpha = [];
        if (!TryReadLayout(png, out var header, out int idatStart, out int idatEnd, out bool oneIdat)) return false;
        if (header.Width > limits.MaxWidth || header.Height > limits.MaxHeight || (long)header.Width * header.Height > MaxPixels) return false;

        int channels = header.ColourType switch { 0 => 1, 2 => 3, 4 => 2, _ => 4 };
        int stride = header.Width * channels;
        byte[] rows = ArrayPool<byte>.Shared.Rent((BlockRows + 1) * (stride + 1));
        byte[] output = PixelBuffers.Rent(2 * header.Width * header.Height);
        byte[]? gathered = null;
        try
        {
            Stream compressed;
            if (oneIdat)
            {
                compressed = new MemoryStream(png, idatStart + 8, idatEnd - idatStart - 12, writable: false);
            }
            else
            {
                // several IDAT chunks: their data, in order, is one zlib stream
                gathered = ArrayPool<byte>.Shared.Rent(idatEnd - idatStart);
                int length = 0;
                for (int at = idatStart; at < idatEnd;)
                {
                    int size = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
                    png.AsSpan(at + 8, size).CopyTo(gathered.AsSpan(length));
                    length += size;
                    at += size + 12;
                }
                compressed = new MemoryStream(gathered, 0, length, writable: false);
            }
            using var zlib = new ZLibStream(compressed, CompressionMode.Decompress);
            int pitch = stride + 1;
            var above = rows.AsSpan(0, pitch);
            above.Clear();
            for (int y = 0; y < header.Height; y += BlockRows)
            {
                int count = Math.Min(BlockRows, header.Height - y);
                var block = rows.AsSpan(pitch, count * pitch);
                if (zlib.ReadAtLeast(block, block.Length, throwOnEndOfStream: false) != block.Length) return Decline(output);
                if (count == BlockRows && channels == 4 && Vector128.IsHardwareAccelerated && AllPaeth(block, pitch))
                {
                    Paeth4Interleaved(block, pitch, above[1..]);
                }
                else
                {
                    for (int k = 0; k < count; k++)
                    {
                        var row = block.Slice(k * pitch, pitch);
                        var previous = k == 0 ? above : block.Slice((k - 1) * pitch, pitch);
                        if (!Unfilter(row[0], row[1..], previous[1..], channels)) return Decline(output);
                    }
                }
                for (int k = 0; k < count; k++)
                    ToLuminanceAlpha(block.Slice(k * pitch + 1, stride), channels, output.AsSpan(2 * (y + k) * header.Width, 2 * header.Width));
                block.Slice((count - 1) * pitch, pitch).CopyTo(above);
            }
        }
        catch (InvalidDataException)
        {
            return Decline(output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rows);
            if (gathered is not null) ArrayPool<byte>.Shared.Return(gathered);
        }
        (width, height, luminanceAlpha) = (header.Width, header.Height, output);
        return true;
    }

    private static bool Decline(byte[] output)
    {
        PixelBuffers.Return(output);
        return false;
    }

    private readonly record struct Header(int Width, int Height, byte ColourType);

    /// <summary>
    /// Walks the chunks: a valid IHDR of a kind this path takes, every CRC right, the IDAT chunks
    /// consecutive, and an IEND at the end. Anything else declines.
    /// </summary>
    private static bool TryReadLayout(ReadOnlySpan<byte> png, out Header header, out int idatStart, out int idatEnd, out bool oneIdat)
    {
        header = default;
        idatStart = idatEnd = -1;
        oneIdat = true;
        if (png.Length < 8 + 25 + 12 || !png.StartsWith(Signature)) return false;
        bool seenIdat = false, transparentColour = false;
        for (int at = 8, index = 0; ; index++)
        {
            if (png.Length - at < 12) return false;
            int size = BinaryPrimitives.ReadInt32BigEndian(png[at..]);
            if (size < 0 || png.Length - at - 12 < size) return false;
            var typeAndData = png.Slice(at + 4, size + 4);
            if (Crc32.HashToUInt32(typeAndData) != BinaryPrimitives.ReadUInt32BigEndian(png[(at + 8 + size)..])) return false;
            uint type = BinaryPrimitives.ReadUInt32BigEndian(typeAndData);
            var data = typeAndData[4..];
            if (index == 0)
            {
                if (type != 0x49484452 || size != 13) return false; // IHDR first
                int width = BinaryPrimitives.ReadInt32BigEndian(data), height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                byte depth = data[8], colour = data[9];
                if (width < 1 || height < 1 || depth != 8 || colour is not (0 or 2 or 4 or 6) || data[10] != 0 || data[11] != 0 || data[12] != 0) return false;
                header = new Header(width, height, colour);
            }
            else if (type == 0x49444154) // IDAT
            {
                if (idatEnd >= 0 && idatEnd != at) return false; // IDAT chunks must follow one another
                if (idatStart < 0) idatStart = at;
                else oneIdat = false;
                idatEnd = at + size + 12;
                seenIdat = true;
            }
            else if (type == 0x49454E44) // IEND
            {
                return seenIdat && !transparentColour;
            }
            else if (type == 0x74524E53) // tRNS: a colour key makes one colour transparent, which ImageSharp applies
            {
                transparentColour = true;
            }
            else if ((typeAndData[0] & 0x20) == 0 && type != 0x504C5445) // an unknown critical chunk (PLTE is only a suggestion here)
            {
                return false;
            }
            at += size + 12;
        }
    }

    /// <summary>Undoes one scanline's filter in place (PNG spec, section 9): <paramref name="previous"/> is the row above, already unfiltered.</summary>
    private static bool Unfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> previous, int bpp)
    {
        switch (filter)
        {
            case 0:
                return true;
            case 1: // Sub: x += left
                for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp];
                return true;
            case 2: // Up: x += above
                AddUp(row, previous);
                return true;
            case 3: // Average: x += (left + above) / 2
                for (int i = 0; i < bpp; i++) row[i] += (byte)(previous[i] >> 1);
                for (int i = bpp; i < row.Length; i++) row[i] += (byte)((row[i - bpp] + previous[i]) >> 1);
                return true;
            case 4: // Paeth: x += whichever of left, above and upper-left is nearest to left + above - upper-left
                if (bpp == 4 && Vector128.IsHardwareAccelerated) Paeth4(row, previous);
                else PaethScalar(row, previous, bpp);
                return true;
            default:
                return false;
        }
    }

    private static void AddUp(Span<byte> row, ReadOnlySpan<byte> previous)
    {
        int i = 0;
        for (; i + Vector256<byte>.Count <= row.Length; i += Vector256<byte>.Count)
            (Vector256.Create<byte>(row[i..]) + Vector256.Create(previous[i..])).CopyTo(row[i..]);
        for (; i < row.Length; i++) row[i] += previous[i];
    }

    private static void PaethScalar(Span<byte> row, ReadOnlySpan<byte> previous, int bpp)
    {
        for (int i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
            int pa = Math.Abs(b - c), pb = Math.Abs(a - c), pc = Math.Abs(a + b - 2 * c);
            row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
    }

    /// <summary>Paeth for 4-byte pixels, the four channels of a pixel in one vector (the chain runs from pixel to pixel).</summary>
    private static void Paeth4(Span<byte> row, ReadOnlySpan<byte> previous)
    {
        ref byte x = ref row[0];
        ref byte above = ref Unsafe.AsRef(in previous[0]);
        Vector128<short> a = default, c = default;
        for (int i = 0; i < row.Length; i += 4)
        {
            var b = Widen(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref above, i)));
            a = PaethPixel(ref Unsafe.Add(ref x, i), a, b, c);
            c = b;
        }
    }

    private static bool AllPaeth(ReadOnlySpan<byte> block, int pitch)
    {
        for (int at = 0; at < block.Length; at += pitch)
            if (block[at] != 4) return false;
        return true;
    }

    /// <summary>
    /// Paeth on four consecutive rows of 4-byte pixels at once, each row one pixel behind the row above
    /// it: a pixel's left neighbour is its own row's previous result and its upper neighbours are the
    /// row above's last two results, so the four dependency chains are independent and overlap in the
    /// CPU instead of running one after another. Nothing is read back from memory but the row above the block.
    /// </summary>
    private static void Paeth4Interleaved(Span<byte> block, int pitch, ReadOnlySpan<byte> above)
    {
        int width = (pitch - 1) / 4;
        ref byte row0 = ref block[1];
        ref byte row1 = ref Unsafe.Add(ref row0, pitch);
        ref byte row2 = ref Unsafe.Add(ref row1, pitch);
        ref byte row3 = ref Unsafe.Add(ref row2, pitch);
        ref byte top = ref Unsafe.AsRef(in above[0]);
        Vector128<short> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector128<short> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int s = 0; s < width + 3; s++)
        {
            // from the lowest row up, so each row still sees the row above's result of the previous step
            if ((uint)(s - 3) < (uint)width) (a3, c3) = (PaethPixel(ref Unsafe.Add(ref row3, 4 * (s - 3)), a3, a2, c3), a2);
            if ((uint)(s - 2) < (uint)width) (a2, c2) = (PaethPixel(ref Unsafe.Add(ref row2, 4 * (s - 2)), a2, a1, c2), a1);
            if ((uint)(s - 1) < (uint)width) (a1, c1) = (PaethPixel(ref Unsafe.Add(ref row1, 4 * (s - 1)), a1, a0, c1), a0);
            if (s < width)
            {
                var b = Widen(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref top, 4 * s)));
                (a0, c0) = (PaethPixel(ref Unsafe.Add(ref row0, 4 * s), a0, b, c0), b);
            }
        }
    }

    /// <summary>One 4-byte pixel of Paeth: its left (a), upper (b) and upper-left (c) neighbours in, the pixel written and returned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> PaethPixel(ref byte pixel, Vector128<short> a, Vector128<short> b, Vector128<short> c)
    {
        var pa = Vector128.Abs(b - c);
        var pb = Vector128.Abs(a - c);
        var pc = Vector128.Abs(a + b - c - c);
        var useA = Vector128.LessThanOrEqual(pa, pb) & Vector128.LessThanOrEqual(pa, pc);
        var predictor = Vector128.ConditionalSelect(useA, a, Vector128.ConditionalSelect(Vector128.LessThanOrEqual(pb, pc), b, c));
        var result = (Widen(Unsafe.ReadUnaligned<uint>(ref pixel)) + predictor) & Vector128.Create((short)0xFF);
        Unsafe.WriteUnaligned(ref pixel, Vector128.Narrow(result.AsUInt16(), result.AsUInt16()).AsUInt32().ToScalar());
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> Widen(uint fourBytes) =>
        Vector128.WidenLower(Vector128.CreateScalarUnsafe(fourBytes).AsByte()).AsInt16();

    /// <summary>One unfiltered row as (luminance, alpha) pairs; luminance is ImageSharp's BT.709 rounding, so both paths agree to the bit.</summary>
    private static void ToLuminanceAlpha(ReadOnlySpan<byte> row, int channels, Span<byte> la)
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
    /// Eight RGBA pixels at a time: the same float products and sums in the same order as
    /// <see cref="Luminance"/> (no fused multiply-add), so the rounding is the same. Returns the pixels done.
    /// </summary>
    private static int RgbaToLuminanceAlpha(ReadOnlySpan<byte> rgba, Span<byte> la)
    {
        var low = Vector256.Create(0xFFu);
        var (wr, wg, wb, half) = (Vector256.Create(.2126F), Vector256.Create(.7152F), Vector256.Create(.0722F), Vector256.Create(0.5F));
        int x = 0;
        for (; 4 * (x + 8) <= rgba.Length; x += 8)
        {
            var p = Vector256.Create<uint>(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(rgba.Slice(4 * x, 32)));
            var r = Vector256.ConvertToSingle((p & low).AsInt32());
            var g = Vector256.ConvertToSingle(((p >> 8) & low).AsInt32());
            var b = Vector256.ConvertToSingle(((p >> 16) & low).AsInt32());
            var l = Vector256.ConvertToInt32(((r * wr) + (g * wg)) + (b * wb) + half).AsUInt32();
            var pairs = l | ((p >> 24) << 8);
            Vector128.Narrow(pairs.GetLower(), pairs.GetUpper()).AsByte().CopyTo(la.Slice(2 * x, 16));
        }
        return x;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static byte Luminance(byte r, byte g, byte b) =>
        (r | g | b) == 0 ? (byte)0 : (byte)((r * .2126F) + (g * .7152F) + (b * .0722F) + 0.5F);
}
