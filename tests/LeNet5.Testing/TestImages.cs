using System.Buffers.Binary;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace LeNet5.Testing;

/// <summary>Images for the tests: MNIST digits as files people would send, strokes, junk and hostile files.</summary>
public static class TestImages
{
    /// <summary>An MNIST digit scaled to <paramref name="side"/> px, dark ink on white paper, as a PNG.</summary>
    public static byte[] MnistPng(ReadOnlySpan<byte> digit28, int side = 280) => Encode(MnistImage(digit28, side), "png");

    /// <summary>The same digit in another format: png, jpeg, bmp, gif or webp.</summary>
    public static byte[] MnistAs(ReadOnlySpan<byte> digit28, string format, int side = 140) => Encode(MnistImage(digit28, side), format);

    public static Image<Rgba32> MnistImage(ReadOnlySpan<byte> digit28, int side)
    {
        var image = Image.LoadPixelData<L8>(digit28.ToArray(), 28, 28).CloneAs<Rgba32>();
        image.Mutate(c => c.Resize(side, side, KnownResamplers.Bicubic).Invert());
        return image;
    }

    public static byte[] Encode(Image image, string format)
    {
        using var stream = new MemoryStream();
        switch (format)
        {
            case "png": image.SaveAsPng(stream); break;
            case "jpeg": image.SaveAsJpeg(stream); break;
            case "bmp": image.SaveAsBmp(stream); break;
            case "gif": image.SaveAsGif(stream, new GifEncoder()); break;
            case "webp": image.SaveAsWebp(stream, new WebpEncoder { FileFormat = WebpFileFormatType.Lossless }); break;
            default: throw new ArgumentOutOfRangeException(nameof(format), format);
        }
        return stream.ToArray();
    }

    /// <summary>A two-frame GIF: the digit first, then a blank frame (only the first frame counts).</summary>
    public static byte[] AnimatedGif(ReadOnlySpan<byte> digit28)
    {
        using var image = MnistImage(digit28, 112);
        using var blank = new Image<Rgba32>(112, 112, Color.White);
        image.Frames.AddFrame(blank.Frames.RootFrame);
        return Encode(image, "gif");
    }

    /// <summary>An image of one colour.</summary>
    public static byte[] Plain(int width, int height, Rgba32 colour)
    {
        using var image = new Image<Rgba32>(width, height, colour);
        return Encode(image, "png");
    }

    /// <summary>Strokes through the given points (0..1 of the side), drawn as a canvas draws them: dark ink on transparent pixels.</summary>
    public static byte[] CanvasDrawing(int side, float penWidth, params (float X, float Y)[][] strokes)
    {
        var ink = new float[side * side];
        foreach (var stroke in strokes)
            DrawStroke(ink, side, [.. stroke.Select(p => (p.X * side, p.Y * side))], penWidth / 2);
        var pixels = new La16[ink.Length];
        for (int i = 0; i < ink.Length; i++) pixels[i] = new La16(17, (byte)Math.Round(ink[i] * 255));
        using var image = Image.LoadPixelData(pixels, side, side);
        return Encode(image, "png");
    }

    /// <summary>Uniform random grey noise, light ink on dark.</summary>
    public static byte[] Noise(int side, int seed)
    {
        var random = new Random(seed);
        var pixels = new L8[side * side];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = new L8((byte)random.Next(256));
        using var image = Image.LoadPixelData(pixels, side, side);
        return Encode(image, "png");
    }

    /// <summary>A scribble: a long random zigzag over the whole pad, as someone crossing everything out.</summary>
    public static byte[] Scribble(int side, int seed)
    {
        var random = new Random(seed);
        var points = new (float X, float Y)[40];
        for (int i = 0; i < points.Length; i++)
            points[i] = ((float)(0.1 + 0.8 * random.NextDouble()), (float)(0.1 + 0.8 * random.NextDouble()));
        return CanvasDrawing(side, side / 14f, points);
    }

    /// <summary>
    /// A 69-byte PNG whose header declares 60000x60000 pixels (3.35 GiB as RGBA): a decompression bomb
    /// that a decoder trusting the header would try to allocate.
    /// </summary>
    public static byte[] HeaderBomb(int width = 60000, int height = 60000)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 2; // colour type: RGB
        WriteChunk(png, "IHDR", ihdr);
        // zlib holding one stored deflate block with the first scanline's filter byte (0) and its Adler-32
        WriteChunk(png, "IDAT", [0x78, 0x01, 0x01, 0x01, 0x00, 0xFE, 0xFF, 0x00, 0x00, 0x01, 0x00, 0x01]);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>
    /// A 65-byte interlaced (Adam7) PNG whose image data ends early: 64x64 grey, a zlib stream cut after
    /// six bytes of deflate. ImageSharp 2.1.13 spins on it for ever at 100% of a core.
    /// </summary>
    public static byte[] TruncatedInterlacedPng()
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, 64);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), 64);
        ihdr[8] = 8; // bit depth
        ihdr[9] = 0; // colour type: grey
        ihdr[12] = 1; // Adam7
        WriteChunk(png, "IHDR", ihdr);
        using var deflated = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(deflated, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
        {
            var random = new Random(7);
            var rows = new byte[64 * 65];
            random.NextBytes(rows);
            zlib.Write(rows);
        }
        WriteChunk(png, "IDAT", deflated.ToArray()[..8]);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    /// <summary>A chunk as a PNG holds it: length, type, data and the CRC of type and data.</summary>
    public static byte[] PngChunk(string type, byte[] data)
    {
        using var chunk = new MemoryStream();
        WriteChunk(chunk, type, data);
        return chunk.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeAndData));
        png.Write(word);
    }

    private static uint Crc32(byte[] bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Anti-aliased round-capped strokes, 0..1 coverage per pixel.</summary>
    private static void DrawStroke(float[] ink, int side, (float X, float Y)[] points, float radius)
    {
        for (int k = 0; k < points.Length; k++)
        {
            var (x0, y0) = points[k];
            var (x1, y1) = points[Math.Min(k + 1, points.Length - 1)];
            int minX = Math.Max(0, (int)(Math.Min(x0, x1) - radius - 1)), maxX = Math.Min(side - 1, (int)(Math.Max(x0, x1) + radius + 1));
            int minY = Math.Max(0, (int)(Math.Min(y0, y1) - radius - 1)), maxY = Math.Min(side - 1, (int)(Math.Max(y0, y1) + radius + 1));
            float dx = x1 - x0, dy = y1 - y0, length2 = dx * dx + dy * dy;
            for (int y = minY; y <= maxY; y++)
                for (int x = minX; x <= maxX; x++)
                {
                    float t = length2 == 0 ? 0 : Math.Clamp(((x - x0) * dx + (y - y0) * dy) / length2, 0, 1);
                    float px = x0 + t * dx - x, py = y0 + t * dy - y;
                    float coverage = Math.Clamp(radius + 0.5f - MathF.Sqrt(px * px + py * py), 0, 1);
                    ink[y * side + x] = Math.Max(ink[y * side + x], coverage);
                }
        }
    }
}
