using System.Runtime.InteropServices;
using LeNet5.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using static LeNet5.Imaging.Tests.PngFiles;

namespace LeNet5.Imaging.Tests;

/// <summary>The PNG decoder reads exactly the pixels ImageSharp reads, for every kind of PNG, and reads files ImageSharp fails on.</summary>
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
        // rows enough for several reads of the inflater, the last one no whole number of four-row blocks
        data.Add(PngColorType.RgbWithAlpha, PngFilterMethod.Paeth, 33, 1003);
        data.Add(PngColorType.RgbWithAlpha, PngFilterMethod.Adaptive, 33, 1003);
        data.Add(PngColorType.Grayscale, PngFilterMethod.Sub, 200, 1001);
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
    public void BlackInkOnTransparentPixelsAmongColoursReadsAsImageSharpReadsIt()
    {
        // runs of black pixels of any opacity (a canvas's ink, read without the luminance's arithmetic) among coloured ones
        var random = new Random(3);
        using var image = new Image<Rgba32>(61, 17);
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                image[x, y] = (x / 8 + y) % 3 == 0 || random.Next(40) == 0
                    ? new Rgba32((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(3), (byte)random.Next(256))
                    : new Rgba32(0, 0, 0, (byte)random.Next(256));
        using var stream = new MemoryStream();
        image.SaveAsPng(stream, new PngEncoder { ColorType = PngColorType.RgbWithAlpha, TransparentColorMode = PngTransparentColorMode.Preserve });
        AssertSamePixels(stream.ToArray(), 61, 17);
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
}
