using LeNet5.Core.Preparation;
using LeNet5.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace LeNet5.Imaging.Tests;

/// <summary>
/// The preparer's 28x28 is, to the bit, what the plain path gives: ImageSharp's decode (or, for files it
/// cannot be trusted with, the PNG reader), the composite, then <see cref="PlainPreparation"/>, on page
/// drawings, canvases of MNIST digits in several encodings and inks, paper scans and the fuzz corpus.
/// </summary>
[Collection(PixelBufferCount.Name)]
public sealed class PreparationParityTests
{
    private readonly DigitImagePreparer _preparer = new();

    [Fact]
    public void DrawingsAndDigitsPrepareAsThePlainPathPreparesThem()
    {
        var images = new List<byte[]>();
        images.AddRange(Directory.GetFiles(Path.Combine(RepoPaths.Root, "bench", "canvas"), "*.png").Order().Select(File.ReadAllBytes));
        var test = TestMnist.Test;
        for (int i = 0; i < 24; i++)
        {
            var digit = test.Image(i);
            int side = new[] { 280, 97, 500, 28 }[i % 4];
            // as the page sends it: black ink whose opacity is the ink, on transparent pixels
            images.Add(Canvas(digit, side, (_, _) => new Rgba32(0, 0, 0, 0), new PngEncoder { FilterMethod = (PngFilterMethod)(i % 6) }));
            // coloured ink, and black ink with a few coloured pixels, so rows mix the black and the coloured ways
            images.Add(Canvas(digit, side, (x, y) => new Rgba32((byte)(40 + x), (byte)(90 + y), 200, 0), new PngEncoder()));
            images.Add(Canvas(digit, side, (x, y) => (x * 7 + y) % 29 == 0 ? new Rgba32(255, 0, 0, 0) : new Rgba32(0, 0, 0, 0), new PngEncoder()));
            images.Add(TestImages.MnistPng(digit, side)); // dark ink on white paper
        }
        for (int seed = 0; seed < 6; seed++)
        {
            images.Add(TestImages.Scribble(150 + seed, seed));
            images.Add(TestImages.Noise(40 + seed, seed));
        }
        foreach (var png in images) Assert.Equal(Plain(png, ImageSharpPairs), Prepared(png));
    }

    [Fact]
    public void TheFuzzCorpusPreparesOrIsRefusedAsByThePlainPath()
    {
        var files = Directory.GetFiles(Path.Combine(RepoPaths.Root, "fuzz", "corpus"))
            .Concat(Directory.GetFiles(Path.Combine(RepoPaths.Root, "tests", "LeNet5.Imaging.Tests", "Fuzz"), "*.bin"))
            .Order();
        int read = 0;
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(file);
            if (!PngReader.IsPng(bytes)) continue;
            read++;
            // ImageSharp is no reference for Adam7 or damaged files (PngReaderTests): the reader, held to it there, decodes here
            Assert.Equal(Plain(bytes, ReaderPairs), Prepared(bytes));
        }
        Assert.True(read > 0, "no PNG in the fuzz corpus");
    }

    /// <summary>The 28x28, or the refusal's kind and message.</summary>
    private object Prepared(byte[] png)
    {
        try
        {
            return _preparer.Prepare(png);
        }
        catch (DigitPreparationException ex)
        {
            return (ex.Failure, ex.Message);
        }
    }

    private static object Plain(byte[] png, Func<byte[], (byte[] Pairs, int Width, int Height)> decode)
    {
        try
        {
            var (pairs, width, height) = decode(png);
            var grey = new byte[width * height];
            var laid = InkMap.Composite(pairs, width, height, grey) is { } levels ? PlainPreparation.Lay(grey, width, height, levels) : null;
            return laid ?? (object)(PreparationFailure.Blank, "The image is blank: it holds no ink to read a digit from.");
        }
        catch (DigitPreparationException ex)
        {
            return (ex.Failure, ex.Message);
        }
    }

    private static (byte[], int, int) ImageSharpPairs(byte[] png)
    {
        using var image = Image.Load<La16>(png);
        var pixels = new La16[image.Width * image.Height];
        image.CopyPixelDataTo(pixels);
        return (System.Runtime.InteropServices.MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray(), image.Width, image.Height);
    }

    private static (byte[], int, int) ReaderPairs(byte[] png)
    {
        var pairs = PngReader.Decode(png, ImageLimits.Default, out int width, out int height);
        try
        {
            return (pairs.AsSpan(0, 2 * width * height).ToArray(), width, height);
        }
        finally
        {
            PixelBuffers.Return(pairs);
        }
    }

    /// <summary>An MNIST digit scaled to <paramref name="side"/>, as ink whose opacity is the digit's level and whose colour <paramref name="colour"/> gives.</summary>
    private static byte[] Canvas(ReadOnlySpan<byte> digit28, int side, Func<int, int, Rgba32> colour, PngEncoder encoder)
    {
        using var ink = Image.LoadPixelData<L8>(digit28.ToArray(), 28, 28);
        ink.Mutate(c => c.Resize(side, side, KnownResamplers.Bicubic));
        using var canvas = new Image<Rgba32>(side, side);
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                canvas[x, y] = colour(x, y) with { A = ink[x, y].PackedValue };
        using var stream = new MemoryStream();
        canvas.SaveAsPng(stream, encoder);
        return stream.ToArray();
    }
}
