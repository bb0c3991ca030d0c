using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using LeNet5.Core.Preparation;
using LeNet5.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace LeNet5.Imaging.Tests;

/// <summary>
/// The service's PNG decoder reads exactly the pixels ImageSharp reads, for every colour type, bit
/// depth, filter and interlacing, reads files ImageSharp fails on, and refuses every malformed file
/// with a <see cref="DigitPreparationException"/> in bounded time, giving back every buffer it rented.
/// </summary>
[Collection(PixelBufferCount.Name)]
public sealed class PngReaderTests
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
    public void ItReadsWhatImageSharpReads(PngColorType colour, PngFilterMethod filter, int width, int height)
    {
        var png = Noise(width, height, new PngEncoder { ColorType = colour, BitDepth = PngBitDepth.Bit8, FilterMethod = filter });
        AssertSamePixels(png, width, height);
    }

    public static TheoryData<PngColorType, PngBitDepth> OtherKinds()
    {
        var data = new TheoryData<PngColorType, PngBitDepth>();
        foreach (var depth in (PngBitDepth[])[PngBitDepth.Bit1, PngBitDepth.Bit2, PngBitDepth.Bit4, PngBitDepth.Bit8, PngBitDepth.Bit16])
            data.Add(PngColorType.Grayscale, depth);
        foreach (var depth in (PngBitDepth[])[PngBitDepth.Bit1, PngBitDepth.Bit2, PngBitDepth.Bit4, PngBitDepth.Bit8])
            data.Add(PngColorType.Palette, depth);
        foreach (var colour in (PngColorType[])[PngColorType.Rgb, PngColorType.GrayscaleWithAlpha, PngColorType.RgbWithAlpha])
            foreach (var depth in (PngBitDepth[])[PngBitDepth.Bit8, PngBitDepth.Bit16])
                data.Add(colour, depth);
        return data;
    }

    /// <summary>
    /// Each kind, non-interlaced, reads as ImageSharp reads it; interlaced, as its non-interlaced twin. ImageSharp
    /// 2.1.13 is no reference for Adam7: it spins for ever on a 1x1 file, refuses valid 3x9 RGB ones, and its
    /// encoder writes filter bytes for empty passes; so the interlaced twin is made here, by the specification.
    /// </summary>
    [Theory]
    [MemberData(nameof(OtherKinds))]
    public void EveryBitDepthAndPaletteReadsAsImageSharpReadsItAndInterlacedAsItsTwin(PngColorType colour, PngBitDepth depth)
    {
        foreach (var (width, height) in new[] { (37, 23), (1, 1), (3, 9), (9, 2), (8, 8), (5, 1) })
        {
            var plain = Noise(width, height, new PngEncoder { ColorType = colour, BitDepth = depth, FilterMethod = PngFilterMethod.None });
            AssertSamePixels(plain, width, height);
            Assert.Equal(Read(plain, out _, out _), Read(Interlace(plain), out _, out _));
        }
    }

    [Fact]
    public void ImagesImageSharpCannotReadAreRead()
    {
        // a 1x1 Adam7 file (ImageSharp spins) and a 3x9 RGB one (ImageSharp throws)
        var one = Noise(1, 1, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, FilterMethod = PngFilterMethod.None });
        Assert.Equal(Read(one, out _, out _), Read(Interlace(one), out _, out _));
        var rgb = Noise(3, 9, new PngEncoder { ColorType = PngColorType.Rgb, FilterMethod = PngFilterMethod.None });
        Assert.Equal(Read(rgb, out _, out _), Read(Interlace(rgb), out _, out _));
        Assert.ThrowsAny<Exception>(() => Image.Load<La16>(Interlace(rgb)));
    }

    [Theory]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit8)]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit16)]
    [InlineData(PngColorType.Grayscale, PngBitDepth.Bit2)]
    [InlineData(PngColorType.Rgb, PngBitDepth.Bit8)]
    [InlineData(PngColorType.Rgb, PngBitDepth.Bit16)]
    public void AColourKeyMakesItsColourTransparent(PngColorType colour, PngBitDepth depth)
    {
        var png = Noise(31, 17, new PngEncoder { ColorType = colour, BitDepth = depth, FilterMethod = PngFilterMethod.None });
        // the key: the first pixel's samples, as they are stored
        var raw = Inflate(png);
        int bits = (colour == PngColorType.Rgb ? 3 : 1) * (depth switch { PngBitDepth.Bit2 => 2, PngBitDepth.Bit8 => 8, _ => 16 });
        var key = new byte[colour == PngColorType.Rgb ? 6 : 2];
        if (bits == 2) key[1] = (byte)(raw[1] >> 6);
        else if (bits == 8) key[1] = raw[1];
        else if (bits == 24) (key[1], key[3], key[5]) = (raw[1], raw[2], raw[3]);
        else raw.AsSpan(1, key.Length).CopyTo(key);
        Assert.Equal(0, raw[0]); // the first row unfiltered, so its first pixel is stored as it is
        var keyed = InsertBeforeIdat(png, TestImages.PngChunk("tRNS", key));
        var read = Read(keyed, out _, out _);
        Assert.Equal(0, read[1]);
        Assert.Contains(read.Where((_, i) => i % 2 == 1), alpha => alpha == 255);
        AssertSamePixels(keyed, 31, 17);
    }

    [Fact]
    public void AnImageDataSplitIntoOneByteChunksOrStartingWithAnEmptyOneReadsAsTheWhole()
    {
        foreach (var interlace in (PngInterlaceMode[])[PngInterlaceMode.None, PngInterlaceMode.Adam7])
        {
            var png = Noise(64, 48, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, FilterMethod = PngFilterMethod.Paeth, InterlaceMethod = interlace });
            var whole = Read(png, out _, out _);
            Assert.Equal(whole, Read(SplitIdat(png, 1), out _, out _));
            Assert.Equal(whole, Read(InsertBeforeIdat(png, TestImages.PngChunk("IDAT", [])), out _, out _));
            Assert.Equal(whole, Read(SplitIdat(png, 100), out _, out _));
        }
    }

    [Fact]
    public void DataAfterTheLastRowIsLeftUnread()
    {
        var png = Noise(20, 20, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
        Assert.Equal(Read(png, out _, out _), Read(Rechunk(png, _ => { }, extra: 1 << 20), out _, out _));
    }

    [Fact]
    public void APageDrawingReadsAsImageSharpReadsIt()
    {
        // a canvas drawing as Chromium exports it: RGBA, every row filtered with Up
        var png = File.ReadAllBytes(Path.Combine(RepoPaths.Root, "bench", "canvas", "seven-280.png"));
        AssertSamePixels(png, 280, 280);
    }

    [Fact]
    public async Task AnInterlacedFileWhoseDataEndsEarlyIsRefusedAtOnce()
    {
        // ImageSharp 2.1.13 spins for ever on this file; the test fails by its deadline if it is ever given one
        var thrown = await Deadline.Within(TimeSpan.FromSeconds(10), "preparing a 65-byte interlaced PNG",
            () => Record.Exception(() => new DigitImagePreparer().Prepare(TestImages.TruncatedInterlacedPng())));
        var ex = Assert.IsType<DigitPreparationException>(thrown);
        Assert.Equal(PreparationFailure.Undecodable, ex.Failure);
        Assert.Contains("ends before its last row", ex.Message);
        Assert.Equal(65, TestImages.TruncatedInterlacedPng().Length);
    }

    [Fact]
    public async Task EveryCutOfAnInterlacedFileIsRefusedInBoundedTime()
    {
        var png = Noise(40, 40, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, InterlaceMethod = PngInterlaceMode.Adam7 });
        long before = PixelBuffers.Outstanding;
        await Deadline.Within(TimeSpan.FromSeconds(30), "refusing every cut of an interlaced PNG", () =>
        {
            for (int length = 0; length < png.Length; length++)
            {
                var cut = png[..length];
                var ex = Record.Exception(() => new DigitImagePreparer().Prepare(cut));
                Assert.True(ex is DigitPreparationException { Failure: PreparationFailure.Undecodable }, $"{length} bytes: {ex}");
            }
        });
        Assert.Equal(before, PixelBuffers.Outstanding);
    }

    [Fact]
    public void AZlibStreamAskingForAPresetDictionaryIsUndecodableAndGivesItsBuffersBack()
    {
        var png = Noise(32, 32, new PngEncoder { ColorType = PngColorType.RgbWithAlpha });
        int idat = IndexOfChunk(png, "IDAT"), length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat));
        var data = png.AsSpan(idat + 8, length).ToArray();
        // CMF 0x78, FLG with FDICT (0x20) set and the header check (CMF*256 + FLG divisible by 31) kept
        data[1] = 0x20;
        while ((0x78 * 256 + data[1]) % 31 != 0) data[1]++;
        var fdict = ReplaceIdat(png, data);
        long before = PixelBuffers.Outstanding;
        var ex = Assert.Throws<DigitPreparationException>(() => new DigitImagePreparer().Prepare(fdict));
        Assert.Equal(PreparationFailure.Undecodable, ex.Failure);
        Assert.Equal(before, PixelBuffers.Outstanding);
    }

    [Fact]
    public void MalformedFilesAreRefusedAsUndecodableSayingWhy()
    {
        var png = Noise(64, 64, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, FilterMethod = PngFilterMethod.Paeth });
        var idat = IndexOfChunk(png, "IDAT");
        var badCrc = (byte[])png.Clone();
        badCrc[idat + 8 + BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat)) + 1] ^= 0xFF;
        var cases = new (string Name, byte[] File, string Says)[]
        {
            ("bad CRC", badCrc, "CRC"),
            ("bad filter type", Rechunk(png, raw => raw[0] = 9), "filter"),
            ("too little data", Rechunk(png, _ => { }, truncateTo: 0.5), "ends before its last row"),
            ("corrupt zlib", Rechunk(png, _ => { }, corruptStream: true), "zlib"),
            ("truncated", png[..(png.Length / 2)], "incomplete"),
            ("no IEND", png[..^12], "incomplete"),
        };
        long before = PixelBuffers.Outstanding;
        foreach (var (name, file, says) in cases)
        {
            var ex = Assert.Throws<DigitPreparationException>(() => new DigitImagePreparer().Prepare(file));
            Assert.True(ex.Failure == PreparationFailure.Undecodable, name);
            Assert.Contains(says, ex.Message);
        }
        Assert.Equal(before, PixelBuffers.Outstanding);
    }

    [Fact]
    public void TheSizeIsCheckedBeforeAnythingIsInflated()
    {
        var ex = Assert.Throws<DigitPreparationException>(() => new DigitImagePreparer(new ImageLimits(MaxWidth: 29)).Prepare(Noise(30, 20, new PngEncoder())));
        Assert.Equal(PreparationFailure.TooLarge, ex.Failure);
        Assert.Equal((30, 20), new DigitImagePreparer().Identify(Noise(30, 20, new PngEncoder())));
    }

    private static byte[] Read(byte[] png, out int width, out int height)
    {
        var pairs = PngReader.Decode(png, ImageLimits.Default, out width, out height);
        try
        {
            return pairs.AsSpan(0, 2 * width * height).ToArray();
        }
        finally
        {
            PixelBuffers.Return(pairs);
        }
    }

    private static void AssertSamePixels(byte[] png, int width, int height)
    {
        var read = Read(png, out int w, out int h);
        Assert.Equal((width, height), (w, h));
        using var image = Image.Load<La16>(png);
        var expected = new La16[width * height];
        image.CopyPixelDataTo(expected);
        Assert.Equal(MemoryMarshal.AsBytes(expected.AsSpan()).ToArray(), read);
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

    /// <summary>
    /// The same image as an Adam7 file, by the specification: from a file whose rows are all unfiltered, each pass's
    /// pixels picked out (bit by bit below 8 bits a pixel) into rows of their own, empty passes left out.
    /// </summary>
    private static byte[] Interlace(byte[] png)
    {
        int ihdr = IndexOfChunk(png, "IHDR");
        var header = png.AsSpan(ihdr + 8, 13).ToArray();
        int width = BinaryPrimitives.ReadInt32BigEndian(header), height = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4));
        int channels = header[9] switch { 0 or 3 => 1, 2 => 3, 4 => 2, _ => 4 }, bits = channels * header[8];
        int stride = (width * bits + 7) / 8;
        var raw = Inflate(png);
        using var rows = new MemoryStream();
        foreach (var (x0, y0, dx, dy) in new[] { (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2) })
        {
            int passWidth = (width - x0 + dx - 1) / dx;
            if (passWidth == 0) continue;
            for (int y = y0; y < height; y += dy)
            {
                Assert.Equal(0, raw[y * (stride + 1)]);
                var row = new byte[(passWidth * bits + 7) / 8];
                for (int i = 0; i < passWidth; i++)
                    for (int b = 0; b < bits; b++)
                    {
                        int from = (x0 + i * dx) * bits + b, to = i * bits + b;
                        int bit = (raw[y * (stride + 1) + 1 + from / 8] >> (7 - from % 8)) & 1;
                        row[to / 8] |= (byte)(bit << (7 - to % 8));
                    }
                rows.WriteByte(0);
                rows.Write(row);
            }
        }
        header[12] = 1;
        using var deflated = new MemoryStream();
        using (var zlib = new ZLibStream(deflated, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(rows.ToArray());
        var interlaced = ReplaceIdat(png, deflated.ToArray());
        return [.. interlaced[..ihdr], .. TestImages.PngChunk("IHDR", header), .. interlaced[(ihdr + 25)..]];
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

    private static byte[] InsertBeforeIdat(byte[] png, byte[] chunk)
    {
        int idat = IndexOfChunk(png, "IDAT");
        return [.. png[..idat], .. chunk, .. png[idat..]];
    }

    /// <summary>The same file with its IDAT data cut into chunks of <paramref name="size"/> bytes.</summary>
    private static byte[] SplitIdat(byte[] png, int size)
    {
        int idat = IndexOfChunk(png, "IDAT"), length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat));
        var parts = new List<byte[]> { png[..idat] };
        for (int at = 0; at < length; at += size) parts.Add(TestImages.PngChunk("IDAT", png.AsSpan(idat + 8 + at, Math.Min(size, length - at)).ToArray()));
        parts.Add(png[(idat + length + 12)..]);
        return [.. parts.SelectMany(p => p)];
    }

    private static byte[] ReplaceIdat(byte[] png, byte[] data)
    {
        int idat = IndexOfChunk(png, "IDAT"), length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat));
        return [.. png[..idat], .. TestImages.PngChunk("IDAT", data), .. png[(idat + length + 12)..]];
    }

    private static byte[] Inflate(byte[] png)
    {
        int idat = IndexOfChunk(png, "IDAT"), length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(idat));
        using var inflated = new MemoryStream();
        using (var zlib = new ZLibStream(new MemoryStream(png, idat + 8, length), CompressionMode.Decompress)) zlib.CopyTo(inflated);
        return inflated.ToArray();
    }

    /// <summary>The same file with its inflated scanlines changed (and valid CRCs), or its zlib stream corrupted.</summary>
    private static byte[] Rechunk(byte[] png, Action<byte[]> change, double truncateTo = 1, bool corruptStream = false, int extra = 0)
    {
        var raw = Inflate(png);
        change(raw);
        raw = [.. raw[..(int)(raw.Length * truncateTo)], .. new byte[extra]];
        using var deflated = new MemoryStream();
        using (var zlib = new ZLibStream(deflated, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(raw);
        var data = deflated.ToArray();
        if (corruptStream) data.AsSpan(2, data.Length / 2).Fill(0xA5);
        return ReplaceIdat(png, data);
    }
}

/// <summary>The tests that count <see cref="PixelBuffers.Outstanding"/> run one at a time, so no other test's rentals show in their count.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PixelBufferCount
{
    public const string Name = "pixel buffer count";
}
