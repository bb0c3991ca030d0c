using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using LeNet5.Core.Preparation;

namespace LeNet5.Imaging;

/// <summary>
/// The service's one PNG decoder: every PNG is read here and none reaches ImageSharp. It takes every
/// kind the PNG specification defines (grey, RGB, palette, grey+alpha and RGBA; 1 to 16 bits; colour
/// keys; Adam7 interlacing) into (luminance, alpha) pairs with ImageSharp's La16 rounding, and refuses,
/// saying why, every file that is not exactly what its header promises: a chunk cut short or failing
/// its CRC, image data that inflates to fewer bytes than its rows need, an unknown filter.
/// Its work is bounded by the header: inflation stops at the bytes the rows need, so no file can make
/// it loop (ImageSharp 2.1 spins for ever on some interlaced files whose data ends early, and throws
/// on valid files whose image data is split into tiny chunks). A canvas drawing, 8-bit RGBA, runs four
/// Paeth rows at once and converts eight pixels at a time.
/// </summary>
internal static class PngReader
{
    private static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    /// <summary>Rows inflated and unfiltered together: four Paeth rows run as four interleaved chains.</summary>
    private const int BlockRows = 4;

    private const uint Ihdr = 0x49484452, Plte = 0x504C5445, Trns = 0x74524E53, Idat = 0x49444154, Iend = 0x49454E44;

    /// <summary>Adam7's seven passes: each one's first column and row, and its steps across and down.</summary>
    private static ReadOnlySpan<byte> Adam7 => [0, 0, 8, 8, 4, 0, 8, 8, 0, 4, 4, 8, 2, 0, 4, 4, 0, 2, 2, 4, 1, 0, 2, 2, 0, 1, 1, 2];

    public static bool IsPng(ReadOnlySpan<byte> bytes) => bytes.StartsWith(Signature);

    /// <summary>The size the header declares, checked against the limits, with every chunk walked and checked but nothing inflated.</summary>
    public static (int Width, int Height) Identify(byte[] png, ImageLimits limits)
    {
        var layout = ReadLayout(png, limits);
        return (layout.Header.Width, layout.Header.Height);
    }

    /// <summary>
    /// Decodes <paramref name="png"/> into (luminance, alpha) pairs, in a buffer from <see cref="PixelBuffers"/> that the
    /// caller returns; or throws <see cref="DigitPreparationException"/>, having rented nothing that it keeps.
    /// </summary>
    public static byte[] Decode(byte[] png, ImageLimits limits, out int width, out int height)
    {
        var layout = ReadLayout(png, limits);
        var header = layout.Header;
        limits.CheckMemory(header.Width, header.Height);
        int pitch = header.Stride(header.Width) + 1;
        byte[] output = PixelBuffers.Rent(2 * header.Width * header.Height);
        byte[] rows = PixelBuffers.Rent((BlockRows + 1) * pitch);
        byte[]? gathered = null;
        bool decoded = false;
        try
        {
            using var zlib = new ZLibStream(Compressed(png, layout, ref gathered), CompressionMode.Decompress);
            if (header.Interlaced) ReadPasses(zlib, layout, rows, output);
            else ReadRows(zlib, layout, rows, output);
            // data after the last row is left unread, as libpng leaves it (some encoders, ImageSharp's among
            // them, write filter bytes for Adam7's empty passes), so nothing is ever inflated beyond what the rows need
            decoded = true;
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException)
        {
            // .NET's inflater throws InvalidDataException for a corrupt stream, and ZLibException (an IOException)
            // for what it does not take, such as a preset dictionary
            throw Damaged("its image data is not a valid zlib stream", ex);
        }
        finally
        {
            PixelBuffers.Return(rows);
            if (gathered is not null) PixelBuffers.Return(gathered);
            if (!decoded) PixelBuffers.Return(output);
        }
        (width, height) = (header.Width, header.Height);
        return output;
    }

    private static Stream Compressed(byte[] png, in Layout layout, ref byte[]? gathered)
    {
        if (layout.OneIdat) return new MemoryStream(png, layout.IdatStart + 8, layout.IdatEnd - layout.IdatStart - 12, writable: false);
        // several IDAT chunks: their data, in order, is one zlib stream
        gathered = PixelBuffers.Rent(layout.IdatEnd - layout.IdatStart);
        int length = 0;
        for (int at = layout.IdatStart; at < layout.IdatEnd;)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            png.AsSpan(at + 8, size).CopyTo(gathered.AsSpan(length));
            length += size;
            at += size + 12;
        }
        return new MemoryStream(gathered, 0, length, writable: false);
    }

    /// <summary>A non-interlaced image: its rows in order, four at a time.</summary>
    private static void ReadRows(Stream zlib, in Layout layout, byte[] rows, byte[] output)
    {
        var header = layout.Header;
        int stride = header.Stride(header.Width), pitch = stride + 1, bpp = header.FilterBytes;
        var above = rows.AsSpan(0, pitch);
        above.Clear();
        for (int y = 0; y < header.Height; y += BlockRows)
        {
            int count = Math.Min(BlockRows, header.Height - y);
            var block = rows.AsSpan(pitch, count * pitch);
            Fill(zlib, block);
            if (count == BlockRows && bpp == 4 && Vector128.IsHardwareAccelerated && AllPaeth(block, pitch))
            {
                Paeth4Interleaved(block, pitch, above[1..]);
            }
            else
            {
                for (int k = 0; k < count; k++)
                {
                    var row = block.Slice(k * pitch, pitch);
                    var previous = k == 0 ? above : block.Slice((k - 1) * pitch, pitch);
                    Unfilter(row[0], row[1..], previous[1..], bpp);
                }
            }
            for (int k = 0; k < count; k++)
                ToLuminanceAlpha(block.Slice(k * pitch + 1, stride), layout, header.Width, output.AsSpan(2 * (y + k) * header.Width, 2 * header.Width));
            block.Slice((count - 1) * pitch, pitch).CopyTo(above);
        }
    }

    /// <summary>An Adam7 image: seven smaller images, each a grid of every 8th, 4th, 2nd... pixel, their rows filtered within their pass.</summary>
    private static void ReadPasses(Stream zlib, in Layout layout, byte[] rows, byte[] output)
    {
        var header = layout.Header;
        byte[] passRow = PixelBuffers.Rent(2 * header.Width);
        try
        {
            for (int pass = 0; pass < 7; pass++)
            {
                int x0 = Adam7[4 * pass], y0 = Adam7[4 * pass + 1], dx = Adam7[4 * pass + 2], dy = Adam7[4 * pass + 3];
                int width = (header.Width - x0 + dx - 1) / dx, height = (header.Height - y0 + dy - 1) / dy;
                if (width == 0 || height == 0) continue; // an empty pass has no rows, not even filter bytes
                int stride = header.Stride(width), pitch = stride + 1;
                var previous = rows.AsSpan(0, pitch);
                var row = rows.AsSpan(pitch, pitch);
                previous.Clear();
                var la = passRow.AsSpan(0, 2 * width);
                for (int j = 0; j < height; j++)
                {
                    Fill(zlib, row);
                    Unfilter(row[0], row[1..], previous[1..], header.FilterBytes);
                    ToLuminanceAlpha(row[1..], layout, width, la);
                    var target = output.AsSpan(2 * (y0 + j * dy) * header.Width);
                    for (int i = 0, x = x0; i < width; i++, x += dx) (target[2 * x], target[2 * x + 1]) = (la[2 * i], la[2 * i + 1]);
                    row.CopyTo(previous);
                }
            }
        }
        finally
        {
            PixelBuffers.Return(passRow);
        }
    }

    private static void Fill(Stream zlib, Span<byte> rows)
    {
        if (zlib.ReadAtLeast(rows, rows.Length, throwOnEndOfStream: false) != rows.Length)
            throw new DigitPreparationException(PreparationFailure.Undecodable, "The PNG is incomplete: its image data ends before its last row.");
    }

    private static DigitPreparationException Damaged(string what, Exception? inner = null) =>
        new(PreparationFailure.Undecodable, $"The PNG is damaged: {what}.", inner);

    private readonly record struct Header(int Width, int Height, byte Depth, byte ColourType, bool Interlaced)
    {
        public int Channels => ColourType switch { 0 or 3 => 1, 2 => 3, 4 => 2, _ => 4 };

        public int BitsPerPixel => Channels * Depth;

        /// <summary>The byte distance a filter looks left: one whole pixel, or one byte below 8 bits a pixel.</summary>
        public int FilterBytes => Math.Max(1, BitsPerPixel / 8);

        /// <summary>The bytes of a row of <paramref name="width"/> pixels, without its filter byte.</summary>
        public int Stride(int width) => (int)(((long)width * BitsPerPixel + 7) / 8);

        /// <summary>The bit depths the PNG specification allows for each colour type.</summary>
        public bool IsValid => ColourType switch
        {
            0 => Depth is 1 or 2 or 4 or 8 or 16,
            3 => Depth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => Depth is 8 or 16,
            _ => false,
        };
    }

    /// <summary>
    /// What decoding needs besides the header: where the image data is, and how a sample becomes a pixel:
    /// the palette as (luminance, alpha) pairs, or the one colour a tRNS chunk makes transparent.
    /// </summary>
    private readonly record struct Layout(Header Header, int IdatStart, int IdatEnd, bool OneIdat, byte[]? Palette, int PaletteSize, long ColourKey)
    {
        public bool HasColourKey => ColourKey >= 0;
    }

    /// <summary>
    /// Walks the chunks and checks them: IHDR first and valid, within the limits, every CRC right, the
    /// IDAT chunks consecutive, a palette where one is needed, no unknown critical chunk, and an IEND at the end.
    /// </summary>
    private static Layout ReadLayout(byte[] png, ImageLimits limits)
    {
        Header header = default;
        int idatStart = -1, idatEnd = -1;
        bool oneIdat = true;
        byte[]? palette = null;
        int paletteSize = 0;
        ReadOnlySpan<byte> paletteAlpha = default;
        long colourKey = -1;
        for (int at = Signature.Length, index = 0; ; index++)
        {
            if (png.Length - at < 12) throw new DigitPreparationException(PreparationFailure.Undecodable, "The PNG is incomplete: it ends before its last chunk (IEND).");
            int size = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (size < 0 || png.Length - at - 12 < size) throw new DigitPreparationException(PreparationFailure.Undecodable, "The PNG is incomplete: it ends in the middle of a chunk.");
            var typeAndData = png.AsSpan(at + 4, size + 4);
            if (Crc32.HashToUInt32(typeAndData) != BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + size))) throw Damaged("a chunk fails its CRC check");
            uint type = BinaryPrimitives.ReadUInt32BigEndian(typeAndData);
            var data = typeAndData[4..];
            bool seenIdat = idatStart >= 0;
            if (index == 0)
            {
                if (type != Ihdr || size != 13) throw Damaged("it does not begin with its header (IHDR)");
                int width = BinaryPrimitives.ReadInt32BigEndian(data), height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                header = new Header(width, height, data[8], data[9], data[12] == 1);
                if (width < 1 || height < 1 || !header.IsValid || data[10] != 0 || data[11] != 0 || data[12] > 1)
                    throw Damaged("its header (IHDR) declares a size, bit depth, colour type or method the PNG specification does not define");
                limits.Check(width, height);
            }
            else if (type == Idat)
            {
                if (seenIdat && idatEnd != at) throw Damaged("its image data chunks (IDAT) do not follow one another");
                if (seenIdat) oneIdat = false;
                else idatStart = at;
                idatEnd = at + size + 12;
            }
            else if (type == Iend)
            {
                if (!seenIdat) throw Damaged("it holds no image data (IDAT)");
                if (header.ColourType == 3 && palette is null) throw Damaged("its pixels are palette entries but it has no palette (PLTE)");
                if (palette is not null)
                    for (int i = 0; i < paletteAlpha.Length && i < paletteSize; i++) palette[2 * i + 1] = paletteAlpha[i];
                return new Layout(header, idatStart, idatEnd, oneIdat, palette, paletteSize, colourKey);
            }
            else if (seenIdat && (type == Plte || type == Trns))
            {
                throw Damaged("its palette or transparency (PLTE, tRNS) comes after its image data");
            }
            else if (type == Plte)
            {
                // only palette images use a palette; for the others it is a suggestion for displays with few colours
                if (header.ColourType != 3) { }
                else if (palette is not null || size == 0 || size % 3 != 0 || size / 3 > 1 << header.Depth) throw Damaged("its palette (PLTE) is not one palette of at most 2^depth colours");
                else
                {
                    paletteSize = size / 3;
                    palette = new byte[2 * paletteSize];
                    for (int i = 0; i < paletteSize; i++) (palette[2 * i], palette[2 * i + 1]) = (Luminance(data[3 * i], data[3 * i + 1], data[3 * i + 2]), 255);
                }
            }
            else if (type == Trns)
            {
                colourKey = header.ColourType switch
                {
                    0 when size == 2 => BinaryPrimitives.ReadUInt16BigEndian(data),
                    2 when size == 6 => ((long)BinaryPrimitives.ReadUInt16BigEndian(data) << 32) | ((long)BinaryPrimitives.ReadUInt16BigEndian(data[2..]) << 16) | BinaryPrimitives.ReadUInt16BigEndian(data[4..]),
                    _ => -1,
                };
                if (header.ColourType == 3) paletteAlpha = data;
                else if (header.ColourType is 0 or 2 && colourKey < 0) throw Damaged("its transparency (tRNS) is not one colour");
            }
            else if ((typeAndData[0] & 0x20) == 0)
            {
                throw Damaged("it holds a critical chunk this service does not know");
            }
            at += size + 12;
        }
    }

    /// <summary>Undoes one scanline's filter in place (PNG spec, section 9): <paramref name="previous"/> is the row above, already unfiltered.</summary>
    private static void Unfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> previous, int bpp)
    {
        switch (filter)
        {
            case 0:
                return;
            case 1: // Sub: x += left
                for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp];
                return;
            case 2: // Up: x += above
                AddUp(row, previous);
                return;
            case 3: // Average: x += (left + above) / 2
                for (int i = 0; i < bpp; i++) row[i] += (byte)(previous[i] >> 1);
                for (int i = bpp; i < row.Length; i++) row[i] += (byte)((row[i - bpp] + previous[i]) >> 1);
                return;
            case 4: // Paeth: x += whichever of left, above and upper-left is nearest to left + above - upper-left
                if (bpp == 4 && Vector128.IsHardwareAccelerated) Paeth4(row, previous);
                else PaethScalar(row, previous, bpp);
                return;
            default:
                throw Damaged("a row names a filter the PNG specification does not define");
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

    /// <summary>
    /// One unfiltered row of <paramref name="width"/> pixels as (luminance, alpha) pairs, with ImageSharp's
    /// La16 rounding so that both decoders agree to the bit: luminance is BT.709, 16-bit samples are
    /// scaled down with rounding, samples below 8 bits are scaled up to 0-255, and a colour key's pixels get alpha 0.
    /// </summary>
    private static void ToLuminanceAlpha(ReadOnlySpan<byte> row, in Layout layout, int width, Span<byte> la)
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
                    if (entry >= layout.PaletteSize) throw Damaged("a pixel names a colour its palette (PLTE) does not have");
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
