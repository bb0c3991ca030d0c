using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using LeNet5.Core.Preparation;
using LeNet5.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace LeNet5.Imaging.Tests;

/// <summary>
/// The PNG fast path reads exactly the pixels ImageSharp reads, for every colour type, bit depth and
/// filter it takes, and declines everything else, malformed files included, so ImageSharp still judges them.
/// </summary>
public sealed class PngScanlinesTests
{
    public static TheoryData<PngColorType, PngFilterMethod, int, int> Kinds()
    {
        var data = new TheoryData<PngColorType, PngFilterMethod, int, int>();
        foreach (var colour in (PngColorType[])[PngColorType.Grayscale, PngColorType.Rgb, PngColorType.GrayscaleWithAlpha, PngColorType.RgbWithAlpha])
            foreach (var filter in (PngFilterMethod[])[PngFilterMethod.None, PngFilterMethod.Sub, PngFilterMethod.Up, PngFilterMethod.Average, PngFilterMethod.Paeth, PngFilterMethod.Adaptive])
                data.Add(colour, filter, 37, 23); // a width that is no multiple of 8 and a height that is no multiple of 4
        data.Add(PngColorType.RgbWithAlpha, PngFilterMethod.Paeth, 280, 280);
        data.Add(PngColorType.RgbWithAlpha, PngFilterMethod.Paeth, 1, 1);
        data.Add(PngColorType.RgbWithAlpha, PngFilterMethod.Up, 500, 3);
        return data;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheFastPathReadsWhatImageSharpReads(PngColorType colour, PngFilterMethod filter, int width, int height)
    {
        var png = Noise(width, height, new PngEncoder { ColorType = colour, BitDepth = PngBitDepth.Bit8, FilterMethod = filter });
        AssertSamePixels(png, width, height);
    }

    [Fact]
    public void SeveralIdatChunksAreOneStream()
    {
        var png = SplitIdat(Noise(64, 48, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, FilterMethod = PngFilterMethod.Paeth }), 100);
        AssertSamePixels(png, 64, 48);
    }

    [Fact]
    public void APageDrawingTakesTheFastPath()
    {
        // a canvas drawing as Chromium exports it: RGBA, every row filtered with Up
        var png = File.ReadAllBytes(Path.Combine(RepoPaths.Root, "bench", "canvas", "seven-280.png"));
        AssertSamePixels(png, 280, 280);
    }

    [Theory]
    [InlineData(PngColorType.Palette, PngBitDepth.Bit8)]
    [InlineData(PngColorType.RgbWithAlpha, PngBitDepth.Bit16)]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit1)]
    public void OtherKindsAreLeftToImageSharp(PngColorType colour, PngBitDepth depth)
    {
        var png = Noise(20, 20, new PngEncoder { ColorType = colour, BitDepth = depth });
        Assert.False(PngScanlines.TryDecode(png, ImageLimits.Default, out _, out _, out _));
    }

    [Fact]
    public void InterlacedAndOversizedPicturesAreLeftToImageSharp()
    {
        Assert.False(PngScanlines.TryDecode(Noise(20, 20, new PngEncoder { InterlaceMethod = PngInterlaceMode.Adam7 }), ImageLimits.Default, out _, out _, out _));
        Assert.False(PngScanlines.TryDecode(Noise(30, 20, new PngEncoder()), new ImageLimits(MaxWidth: 29), out _, out _, out _));
        Assert.False(PngScanlines.TryDecode(Noise(1025, 1025, new PngEncoder()), ImageLimits.Default, out _, out _, out _));
    }

    [Fact]
    public void MalformedFilesAreDeclinedAndRefusedAsUndecodable()
    {
        var png = Noise(64, 64, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, FilterMethod = PngFilterMethod.Paeth });
        var idat = IndexOfChunk(png, "IDAT");
        var badCrc = (byte[])png.Clone();
        badCrc[idat + 8 + BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat)) + 1] ^= 0xFF;
        var badFilter = Rechunk(png, raw => raw[0] = 9);
        var shortData = Rechunk(png, raw => raw.AsSpan(raw.Length / 2).Clear(), truncateTo: 0.5);
        var corruptZlib = Rechunk(png, _ => { }, corruptStream: true);
        var truncated = png.AsSpan(0, png.Length / 2).ToArray();
        foreach (var (name, file) in new[] { ("bad CRC", badCrc), ("bad filter type", badFilter), ("too little data", shortData), ("corrupt zlib", corruptZlib), ("truncated", truncated) })
        {
            Assert.False(PngScanlines.TryDecode(file, ImageLimits.Default, out _, out _, out _), name);
            var ex = Record.Exception(() => new DigitImagePreparer().Prepare(file));
            Assert.True(ex is null or DigitPreparationException, $"{name}: {ex}");
        }
    }

    private static void AssertSamePixels(byte[] png, int width, int height)
    {
        Assert.True(PngScanlines.TryDecode(png, ImageLimits.Default, out int w, out int h, out byte[] fast));
        try
        {
            Assert.Equal((width, height), (w, h));
            using var image = Image.Load<La16>(png);
            var expected = new La16[width * height];
            image.CopyPixelDataTo(expected);
            Assert.Equal(MemoryMarshal.AsBytes(expected.AsSpan()).ToArray(), fast.AsSpan(0, 2 * width * height).ToArray());
        }
        finally
        {
            PixelBuffers.Return(fast);
        }
    }

    /// <summary>Random colours with smooth runs (so every filter has something to predict) and random transparency.</summary>
    private static byte[] Noise(int width, int height, PngEncoder encoder)
    {
        var random = new Random(width * 1000 + height);
        using var image = new Image<Rgba32>(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                image[x, y] = random.Next(3) == 0
                    ? new Rgba32((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256))
                    : new Rgba32((byte)(x * 7), (byte)(y * 5), (byte)(x ^ y), (byte)(255 - x));
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, encoder);
        return stream.ToArray();
    }

    private static int IndexOfChunk(byte[] png, string type)
    {
        for (int at = 8; at < png.Length;)
        {
            int size = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (System.Text.Encoding.ASCII.GetString(png, at + 4, 4) == type) return at;
            at += size + 12;
        }
        throw new InvalidOperationException($"no {type} chunk");
    }

    private static byte[] Chunk(string type, ReadOnlySpan<byte> data)
    {
        var chunk = new byte[data.Length + 12];
        BinaryPrimitives.WriteInt32BigEndian(chunk, data.Length);
        System.Text.Encoding.ASCII.GetBytes(type).CopyTo(chunk, 4);
        data.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + data.Length), Crc32.HashToUInt32(chunk.AsSpan(4, data.Length + 4)));
        return chunk;
    }

    /// <summary>The same file with its IDAT data cut into chunks of <paramref name="size"/> bytes.</summary>
    private static byte[] SplitIdat(byte[] png, int size)
    {
        int idat = IndexOfChunk(png, "IDAT"), length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat));
        var parts = new List<byte[]> { png[..idat] };
        for (int at = 0; at < length; at += size) parts.Add(Chunk("IDAT", png.AsSpan(idat + 8 + at, Math.Min(size, length - at))));
        parts.Add(png[(idat + length + 12)..]);
        return [.. parts.SelectMany(p => p)];
    }

    /// <summary>The same file with its inflated scanlines changed (and valid CRCs), or its zlib stream corrupted.</summary>
    private static byte[] Rechunk(byte[] png, Action<byte[]> change, double truncateTo = 1, bool corruptStream = false)
    {
        int idat = IndexOfChunk(png, "IDAT"), length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat));
        using var inflated = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(new MemoryStream(png, idat + 8, length), System.IO.Compression.CompressionMode.Decompress)) zlib.CopyTo(inflated);
        var raw = inflated.ToArray();
        change(raw);
        raw = raw[..(int)(raw.Length * truncateTo)];
        using var deflated = new MemoryStream();
        using (var zlib = new System.IO.Compression.ZLibStream(deflated, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
        var data = deflated.ToArray();
        if (corruptStream) data.AsSpan(2, data.Length / 2).Fill(0xA5);
        return [.. png[..idat], .. Chunk("IDAT", data), .. png[(idat + length + 12)..]];
    }
}
