using System.Buffers.Binary;
using LeNet5.Core.Preparation;
using LeNet5.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.PixelFormats;

namespace LeNet5.Imaging.Tests;

/// <summary>
/// Reading an image allocates what its pixels need, never what its header declares: every fuzz finding and every
/// hostile header stays within <see cref="ImageLimits.ManagedBytesPerImage"/> of managed memory.
/// </summary>
[Collection(Alone.Name)]
public sealed class DecodingMemoryTests
{
    [Theory]
    [MemberData(nameof(FuzzFindingsTests.Findings), MemberType = typeof(FuzzFindingsTests))]
    public void AFindingAllocatesLittle(string file)
    {
        var input = File.ReadAllBytes(Path.Combine(RepoPaths.Root, "tests", "LeNet5.Imaging.Tests", "Fuzz", file));
        var (allocated, _) = Allocations(() => new DigitImagePreparer().Prepare(input));
        Assert.True(allocated <= ImageLimits.ManagedBytesPerImage, $"{file}: {allocated:N0} bytes allocated");
    }

    [Theory]
    [InlineData("BM")]
    [InlineData("BA")]
    public void ABmpWhosePixelDataLiesPastItsEndIsRefusedBeforeItsPaletteIsAllocated(string marker)
    {
        // a 20x20 BMP of 8 bits a pixel that declares 400 million palette colours (1.6 GB) and pixel data 1.7 GB in
        var bmp = PaletteBomb(colours: 400_000_000, dataOffset: 1_700_000_000);
        if (marker == "BA") bmp = [.. BitmapArrayHeader(), .. bmp];
        var (allocated, thrown) = Allocations(() => new DigitImagePreparer().Prepare(bmp));
        Assert.Equal(PreparationFailure.Undecodable, Assert.IsType<DigitPreparationException>(thrown).Failure);
        Assert.True(allocated <= ImageLimits.ManagedBytesPerImage, $"{allocated:N0} bytes allocated");
    }

    [Fact]
    public void ABmpWithItsPaletteInsideStillReads()
    {
        using var image = new Image<L8>(20, 20, new L8(255));
        for (int y = 4; y < 16; y++) image[10, y] = new L8(0);
        using var stream = new MemoryStream();
        image.SaveAsBmp(stream, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel8 });
        var (allocated, thrown) = Allocations(() => new DigitImagePreparer().Prepare(stream.ToArray()));
        Assert.Null(thrown);
        Assert.True(allocated <= ImageLimits.ManagedBytesPerImage, $"{allocated:N0} bytes allocated");
    }

    private static byte[] PaletteBomb(int colours, int dataOffset)
    {
        using var image = new Image<L8>(20, 20, new L8(255));
        using var stream = new MemoryStream();
        image.SaveAsBmp(stream, new BmpEncoder { BitsPerPixel = BmpBitsPerPixel.Pixel8 });
        var bmp = stream.ToArray();
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), dataOffset); // the file header's offset of the pixel data
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14 + 32), colours); // the info header's colours used
        return bmp;
    }

    /// <summary>An OS/2 bitmap array's own header: "BA", its size, the next array entry's offset, the screen size.</summary>
    private static byte[] BitmapArrayHeader() => [(byte)'B', (byte)'A', 14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

    /// <summary>
    /// The least the process allocated over three runs of the work, after one to fill pools and caches: what the work
    /// itself takes, even if some thread of the test host allocated during one of them.
    /// </summary>
    private static (long Allocated, Exception? Thrown) Allocations(Action work)
    {
        Record.Exception(work);
        long least = long.MaxValue;
        Exception? thrown = null;
        for (int run = 0; run < 3; run++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            thrown = Record.Exception(work);
            least = Math.Min(least, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        return (least, thrown);
    }
}
