using System.Buffers.Binary;
using System.IO.Hashing;
using LeNet5.Core.Preparation;

namespace LeNet5.Imaging;

/// <summary>A PNG's header (IHDR): its size, bit depth, colour type and interlacing, and the row sizes they make.</summary>
internal readonly record struct PngHeader(int Width, int Height, byte Depth, byte ColourType, bool Interlaced)
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
/// A PNG's chunks, walked and checked: where its image data is, and how a sample becomes a pixel: the
/// palette as (luminance, alpha) pairs, or the one colour a tRNS chunk makes transparent.
/// </summary>
internal readonly record struct PngLayout(PngHeader Header, int IdatStart, int IdatEnd, bool OneIdat, byte[]? Palette, int PaletteSize, long ColourKey)
{
    public static ReadOnlySpan<byte> Signature => [137, 80, 78, 71, 13, 10, 26, 10];

    private const uint Ihdr = 0x49484452, Plte = 0x504C5445, Trns = 0x74524E53, Idat = 0x49444154, Iend = 0x49454E44;

    public bool HasColourKey => ColourKey >= 0;

    /// <summary>
    /// Walks the chunks and checks them: IHDR first and valid, within the limits, every CRC right, the
    /// IDAT chunks consecutive, a palette where one is needed, no unknown critical chunk, and an IEND at the end.
    /// </summary>
    public static PngLayout Read(byte[] png, ImageLimits limits)
    {
        PngHeader header = default;
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
            if (Crc32.HashToUInt32(typeAndData) != BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(at + 8 + size))) throw PngReader.Damaged("a chunk fails its CRC check");
            uint type = BinaryPrimitives.ReadUInt32BigEndian(typeAndData);
            var data = typeAndData[4..];
            bool seenIdat = idatStart >= 0;
            if (index == 0)
            {
                if (type != Ihdr || size != 13) throw PngReader.Damaged("it does not begin with its header (IHDR)");
                int width = BinaryPrimitives.ReadInt32BigEndian(data), height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                header = new PngHeader(width, height, data[8], data[9], data[12] == 1);
                if (width < 1 || height < 1 || !header.IsValid || data[10] != 0 || data[11] != 0 || data[12] > 1)
                    throw PngReader.Damaged("its header (IHDR) declares a size, bit depth, colour type or method the PNG specification does not define");
                limits.Check(width, height);
            }
            else if (type == Idat)
            {
                if (seenIdat && idatEnd != at) throw PngReader.Damaged("its image data chunks (IDAT) do not follow one another");
                if (seenIdat) oneIdat = false;
                else idatStart = at;
                idatEnd = at + size + 12;
            }
            else if (type == Iend)
            {
                if (!seenIdat) throw PngReader.Damaged("it holds no image data (IDAT)");
                if (header.ColourType == 3 && palette is null) throw PngReader.Damaged("its pixels are palette entries but it has no palette (PLTE)");
                if (palette is not null)
                    for (int i = 0; i < paletteAlpha.Length && i < paletteSize; i++) palette[2 * i + 1] = paletteAlpha[i];
                return new PngLayout(header, idatStart, idatEnd, oneIdat, palette, paletteSize, colourKey);
            }
            else if (seenIdat && (type == Plte || type == Trns))
            {
                throw PngReader.Damaged("its palette or transparency (PLTE, tRNS) comes after its image data");
            }
            else if (type == Plte)
            {
                // only palette images use a palette; for the others it is a suggestion for displays with few colours
                if (header.ColourType != 3) { }
                else if (palette is not null || size == 0 || size % 3 != 0 || size / 3 > 1 << header.Depth) throw PngReader.Damaged("its palette (PLTE) is not one palette of at most 2^depth colours");
                else
                {
                    paletteSize = size / 3;
                    palette = new byte[2 * paletteSize];
                    for (int i = 0; i < paletteSize; i++) (palette[2 * i], palette[2 * i + 1]) = (PngPixels.Luminance(data[3 * i], data[3 * i + 1], data[3 * i + 2]), 255);
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
                else if (header.ColourType is 0 or 2 && colourKey < 0) throw PngReader.Damaged("its transparency (tRNS) is not one colour");
            }
            else if ((typeAndData[0] & 0x20) == 0)
            {
                throw PngReader.Damaged("it holds a critical chunk this service does not know");
            }
            at += size + 12;
        }
    }

    /// <summary>The image data as one stream: the one IDAT chunk's data in place, or several chunks' data gathered into a rented <paramref name="gathered"/>.</summary>
    public Stream ImageData(byte[] png, ref byte[]? gathered)
    {
        if (OneIdat) return new MemoryStream(png, IdatStart + 8, IdatEnd - IdatStart - 12, writable: false);
        // several IDAT chunks: their data, in order, is one zlib stream
        gathered = PixelBuffers.Rent(IdatEnd - IdatStart);
        int length = 0;
        for (int at = IdatStart; at < IdatEnd;)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            png.AsSpan(at + 8, size).CopyTo(gathered.AsSpan(length));
            length += size;
            at += size + 12;
        }
        return new MemoryStream(gathered, 0, length, writable: false);
    }
}
