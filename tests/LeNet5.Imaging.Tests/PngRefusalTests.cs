using System.Buffers.Binary;
using LeNet5.Core.Preparation;
using LeNet5.Testing;
using SixLabors.ImageSharp.Formats.Png;
using static LeNet5.Imaging.Tests.PngFiles;

namespace LeNet5.Imaging.Tests;

/// <summary>The PNG decoder refuses every malformed file as undecodable, saying why, in bounded time, giving back every buffer it rented.</summary>
[Collection(PixelBufferCount.Name)]
public sealed class PngRefusalTests
{
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
}
