using System.Buffers.Binary;
using System.IO.Compression;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace LeNet5.Testing;

/// <summary>
/// Seeded mutations of small valid images of every accepted format, for fuzzing the decoders: bit flips,
/// cuts, deleted and repeated ranges and hostile integers anywhere, and for PNG mutations that keep every
/// CRC valid so that they reach the decoder rather than its checksum: header fields (size, depth, colour
/// type, interlacing), the inflated scanlines re-deflated, the compressed bytes, and the chunks themselves
/// (split, emptied, dropped, repeated, unknown). The same seed gives the same cases.
/// </summary>
public sealed class ImageMutations(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>The seeds: one small drawing as PNG of every colour type, depth and interlacing, JPEG, GIF, BMP and WebP.</summary>
    public static IReadOnlyList<(string Name, byte[] Bytes)> Seeds { get; } = MakeSeeds();

    /// <summary>The next case: a seed and what was done to it, and the mutated bytes.</summary>
    public (string What, byte[] Bytes) Next()
    {
        var (name, seed) = Seeds[_random.Next(Seeds.Count)];
        bool png = name.StartsWith("png", StringComparison.Ordinal);
        int kind = _random.Next(png ? 10 : 6);
        var bytes = kind switch
        {
            0 => FlipBits(seed),
            1 => SetBytes(seed),
            2 => seed[.._random.Next(seed.Length)],
            3 => DeleteRange(seed),
            4 => RepeatRange(seed),
            5 => HostileInteger(seed),
            6 => MutateHeader(seed),
            7 => MutateScanlines(seed),
            8 => MutateCompressed(seed),
            _ => MutateChunks(seed),
        };
        return ($"{name}, mutation {kind}", bytes);
    }

    private byte[] FlipBits(byte[] seed)
    {
        var bytes = (byte[])seed.Clone();
        for (int n = 1 + _random.Next(8); n > 0; n--) bytes[_random.Next(bytes.Length)] ^= (byte)(1 << _random.Next(8));
        return bytes;
    }

    private static readonly byte[] InterestingBytes = [0, 1, 0x7F, 0x80, 0xFF, 0x20, 0x10];

    private byte[] SetBytes(byte[] seed)
    {
        var bytes = (byte[])seed.Clone();
        for (int n = 1 + _random.Next(4); n > 0; n--) bytes[_random.Next(bytes.Length)] = InterestingBytes[_random.Next(InterestingBytes.Length)];
        return bytes;
    }

    private byte[] DeleteRange(byte[] seed)
    {
        int at = _random.Next(seed.Length), length = 1 + _random.Next(Math.Min(64, seed.Length - at));
        return [.. seed[..at], .. seed[(at + length)..]];
    }

    private byte[] RepeatRange(byte[] seed)
    {
        int at = _random.Next(seed.Length), length = 1 + _random.Next(Math.Min(64, seed.Length - at));
        return [.. seed[..(at + length)], .. seed[at..]];
    }

    private static readonly uint[] InterestingWords = [0, 1, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 4096, 4097, 65535];

    private byte[] HostileInteger(byte[] seed)
    {
        var bytes = (byte[])seed.Clone();
        int at = _random.Next(Math.Max(1, bytes.Length - 4));
        uint word = InterestingWords[_random.Next(InterestingWords.Length)];
        if (_random.Next(2) == 0) BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at), word);
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), word);
        return bytes;
    }

    private static readonly byte[] InterestingDepths = [0, 1, 2, 3, 4, 8, 16, 32, 255];

    private byte[] MutateHeader(byte[] png)
    {
        var chunks = Chunks(png);
        var header = chunks[0].Data;
        switch (_random.Next(5))
        {
            case 0: BinaryPrimitives.WriteInt32BigEndian(header, _random.Next(3) == 0 ? (int)InterestingWords[_random.Next(InterestingWords.Length)] : 1 + _random.Next(100)); break;
            case 1: BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), _random.Next(3) == 0 ? (int)InterestingWords[_random.Next(InterestingWords.Length)] : 1 + _random.Next(100)); break;
            case 2: header[8] = InterestingDepths[_random.Next(InterestingDepths.Length)]; break;
            case 3: header[9] = (byte)_random.Next(8); break;
            default: header[10 + _random.Next(3)] = (byte)_random.Next(3); break;
        }
        return Assemble(chunks);
    }

    private byte[] MutateScanlines(byte[] png)
    {
        var chunks = Chunks(png);
        var raw = Inflate(chunks);
        switch (_random.Next(4))
        {
            case 0: for (int n = 1 + _random.Next(8); n > 0 && raw.Length > 0; n--) raw[_random.Next(raw.Length)] = (byte)_random.Next(256); break;
            case 1: raw = raw[.._random.Next(raw.Length + 1)]; break;
            case 2: raw = [.. raw, .. new byte[1 + _random.Next(1000)]]; break;
            default: if (raw.Length > 0) raw[0] = (byte)_random.Next(256); break; // the first row's filter
        }
        return Assemble(WithImageData(chunks, Deflate(raw)));
    }

    private byte[] MutateCompressed(byte[] png)
    {
        var chunks = Chunks(png);
        var data = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
        switch (_random.Next(4))
        {
            case 0: data[_random.Next(data.Length)] ^= (byte)(1 << _random.Next(8)); break;
            case 1: data = data[.._random.Next(data.Length)]; break;
            case 2: data[1] = (byte)(0x20 | _random.Next(32)); break; // FDICT, a preset dictionary
            default: data[_random.Next(Math.Min(2, data.Length))] = (byte)_random.Next(256); break; // the zlib header
        }
        return Assemble(WithImageData(chunks, data));
    }

    private byte[] MutateChunks(byte[] png)
    {
        var chunks = Chunks(png);
        int idat = chunks.FindIndex(c => c.Type == "IDAT");
        switch (_random.Next(6))
        {
            case 0: // the image data split into pieces of a few bytes
                var data = chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray();
                int size = 1 + _random.Next(16);
                chunks = WithImageData(chunks, []);
                chunks.RemoveAt(idat);
                chunks.InsertRange(idat, data.Chunk(size).Select(piece => ("IDAT", piece.ToArray())));
                break;
            case 1: chunks.Insert(idat, ("IDAT", [])); break;
            case 2: chunks.RemoveAt(1 + _random.Next(chunks.Count - 1)); break;
            case 3: chunks.Insert(1 + _random.Next(chunks.Count - 1), chunks[_random.Next(chunks.Count)]); break;
            case 4: chunks.Insert(1 + _random.Next(chunks.Count - 1), (_random.Next(2) == 0 ? "PLTE" : "tRNS", RandomBytes(_random.Next(800)))); break;
            default: chunks.Insert(1 + _random.Next(chunks.Count - 1), ("ZZZZ", RandomBytes(_random.Next(16)))); break;
        }
        return Assemble(chunks);
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private static List<(string Type, byte[] Data)> Chunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (int at = 8; at + 12 <= png.Length;)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            chunks.Add((System.Text.Encoding.ASCII.GetString(png, at + 4, 4), png.AsSpan(at + 8, size).ToArray()));
            at += size + 12;
        }
        return chunks;
    }

    private static byte[] Assemble(List<(string Type, byte[] Data)> chunks) =>
        [137, 80, 78, 71, 13, 10, 26, 10, .. chunks.SelectMany(c => TestImages.PngChunk(c.Type, c.Data))];

    /// <summary>The chunks with their image data replaced by one IDAT holding <paramref name="data"/>.</summary>
    private static List<(string Type, byte[] Data)> WithImageData(List<(string Type, byte[] Data)> chunks, byte[] data)
    {
        int first = chunks.FindIndex(c => c.Type == "IDAT");
        var result = chunks.Where(c => c.Type != "IDAT").ToList();
        result.Insert(first, ("IDAT", data));
        return result;
    }

    private static byte[] Inflate(List<(string Type, byte[] Data)> chunks)
    {
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(chunks.Where(c => c.Type == "IDAT").SelectMany(c => c.Data).ToArray()), CompressionMode.Decompress)) zlib.CopyTo(inflated);
        return inflated.ToArray();
    }

    private static byte[] Deflate(byte[] raw)
    {
        using var deflated = new MemoryStream();
        using (var zlib = new ZLibStream(deflated, CompressionLevel.Fastest, leaveOpen: true)) zlib.Write(raw);
        return deflated.ToArray();
    }

    private static List<(string, byte[])> MakeSeeds()
    {
        using var drawing = Image.Load<Rgba32>(TestImages.CanvasDrawing(40, 5, [(0.3f, 0.2f), (0.7f, 0.2f), (0.45f, 0.85f)]));
        drawing.Mutate(c => c.BackgroundColor(Color.White));
        byte[] Save(IImageEncoder encoder)
        {
            using var stream = new MemoryStream();
            drawing.Save(stream, encoder);
            return stream.ToArray();
        }
        var seeds = new List<(string, byte[])>();
        foreach (var interlace in (PngInterlaceMode[])[PngInterlaceMode.None, PngInterlaceMode.Adam7])
        {
            string suffix = interlace == PngInterlaceMode.Adam7 ? " adam7" : "";
            seeds.Add(("png rgba" + suffix, Save(new PngEncoder { ColorType = PngColorType.RgbWithAlpha, InterlaceMethod = interlace })));
            seeds.Add(("png grey" + suffix, Save(new PngEncoder { ColorType = PngColorType.Grayscale, InterlaceMethod = interlace })));
            seeds.Add(("png palette 4-bit" + suffix, Save(new PngEncoder { ColorType = PngColorType.Palette, BitDepth = PngBitDepth.Bit4, InterlaceMethod = interlace })));
            seeds.Add(("png rgb 16-bit" + suffix, Save(new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16, InterlaceMethod = interlace })));
        }
        seeds.Add(("png grey 1-bit", Save(new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit1 })));
        seeds.Add(("jpeg", Save(new JpegEncoder { Quality = 75 })));
        seeds.Add(("jpeg grey", Save(new JpegEncoder { Quality = 90, ColorType = JpegColorType.Luminance })));
        seeds.Add(("gif", Save(new GifEncoder())));
        seeds.Add(("bmp 24-bit", Save(new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel24 })));
        seeds.Add(("bmp 8-bit", Save(new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel8 })));
        seeds.Add(("webp lossy", Save(new WebpEncoder { FileFormat = WebpFileFormatType.Lossy })));
        seeds.Add(("webp lossless", Save(new WebpEncoder { FileFormat = WebpFileFormatType.Lossless })));
        return seeds;
    }
}
