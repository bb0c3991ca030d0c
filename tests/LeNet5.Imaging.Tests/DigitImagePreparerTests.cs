using LeNet5.Core.Preparation;
using LeNet5.Testing;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace LeNet5.Imaging.Tests;

/// <summary>The hardened decoding of images into MNIST-like digits.</summary>
public sealed class DigitImagePreparerTests
{
    [Fact]
    public void APreparedMnistDigitLooksLikeMnist()
    {
        var digit = TestMnist.Test.Image(0);
        var prepared = new DigitImagePreparer().Prepare(TestImages.MnistPng(digit));
        Assert.Equal(784, prepared.Length);
        var box = InkBox.Find(prepared, 28, 28, 1)!.Value;
        Assert.Equal(20, Math.Max(box.Width, box.Height));
        var (cx, cy) = MnistLayout.CentreOfMass(prepared, 28, 28)!.Value;
        Assert.InRange(cx, 13, 15);
        Assert.InRange(cy, 13, 15);
    }

    [Fact]
    public void TheHeaderIsCheckedBeforeDecoding()
    {
        var preparer = new DigitImagePreparer();
        var ex = Assert.Throws<DigitPreparationException>(() => preparer.Prepare(TestImages.HeaderBomb()));
        Assert.Equal(PreparationFailure.TooLarge, ex.Failure);
    }

    [Fact]
    public void TheAllocationCapStopsABombThatPassesTheSizeCheck()
    {
        // with the size check opened wide, the capped allocator is what refuses 60000x60000
        var preparer = new DigitImagePreparer(new ImageLimits(MaxWidth: 65535, MaxHeight: 65535, AllocationLimitMegabytes: 64));
        Assert.Equal((60000, 60000), preparer.Identify(TestImages.HeaderBomb()));
        var ex = Assert.Throws<DigitPreparationException>(() => preparer.Prepare(TestImages.HeaderBomb()));
        Assert.Equal(PreparationFailure.TooLarge, ex.Failure);
    }

    [Fact]
    public void FormatsOutsideTheAcceptedOnesAreUndecodable()
    {
        using var image = new Image<L8>(32, 32, new L8(0));
        using var tga = new MemoryStream();
        image.SaveAsTga(tga);
        var ex = Assert.Throws<DigitPreparationException>(() => new DigitImagePreparer().Prepare(tga.ToArray()));
        Assert.Equal(PreparationFailure.Undecodable, ex.Failure);
    }

    [Fact]
    public void ADamagedJpegIsUndecodable()
    {
        // ImageSharp's failure comes from the decode's own thread: it must arrive as the refusal, not wrapped
        using var image = new Image<L8>(32, 32, new L8(0));
        using var jpeg = new MemoryStream();
        image.SaveAsJpeg(jpeg);
        var damaged = jpeg.ToArray()[..^40];
        damaged.AsSpan(damaged.Length / 2).Fill(0xFF);
        var ex = Assert.Throws<DigitPreparationException>(() => new DigitImagePreparer().Prepare(damaged));
        Assert.Equal(PreparationFailure.Undecodable, ex.Failure);
    }

    [Theory]
    [InlineData("image/png", true)]
    [InlineData("IMAGE/JPEG", true)]
    [InlineData("image/jpg", true)]
    [InlineData("image/webp", true)]
    [InlineData("image/tiff", false)]
    [InlineData(null, false)]
    public void MediaTypesAreKnown(string? mediaType, bool supported) =>
        Assert.Equal(supported, ImageFormats.IsSupportedMediaType(mediaType));
}
