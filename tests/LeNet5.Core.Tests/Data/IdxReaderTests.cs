using LeNet5.Core.Data;

namespace LeNet5.Core.Tests;

public class IdxReaderTests
{
    private static byte[] Images(int count, int rows, int cols, int? dataLength = null)
    {
        var bytes = new byte[16 + (dataLength ?? count * rows * cols)];
        bytes[2] = 0x08;
        bytes[3] = 3;
        void Put(int at, int v) { bytes[at] = (byte)(v >> 24); bytes[at + 1] = (byte)(v >> 16); bytes[at + 2] = (byte)(v >> 8); bytes[at + 3] = (byte)v; }
        Put(4, count);
        Put(8, rows);
        Put(12, cols);
        for (int i = 16; i < bytes.Length; i++) bytes[i] = (byte)i;
        return bytes;
    }

    private static byte[] Labels(params byte[] labels)
    {
        var bytes = new byte[8 + labels.Length];
        bytes[2] = 0x08;
        bytes[3] = 1;
        bytes[7] = (byte)labels.Length;
        labels.CopyTo(bytes, 8);
        return bytes;
    }

    [Fact]
    public void ReadsWellFormedImages()
    {
        var (pixels, count, rows, cols) = IdxReader.ReadImages(Images(2, 3, 4));
        Assert.Equal((2, 3, 4), (count, rows, cols));
        Assert.Equal(24, pixels.Length);
        Assert.Equal(16, pixels[0]);
    }

    [Fact]
    public void ReadsWellFormedLabels() => Assert.Equal([7, 0, 9], IdxReader.ReadLabels(Labels(7, 0, 9)));

    [Fact]
    public void RejectsBadMagic()
    {
        var file = Images(1, 2, 2);
        file[0] = 1;
        Assert.Contains("magic", Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(file)).Message);
    }

    [Fact]
    public void RejectsWrongElementType()
    {
        var file = Images(1, 2, 2);
        file[2] = 0x0D; // float
        Assert.Contains("not unsigned byte", Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(file)).Message);
    }

    [Fact]
    public void RejectsWrongDimensionCount() =>
        Assert.Contains("dimensions", Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(Labels(1, 2))).Message);

    [Fact]
    public void RejectsTruncatedData() =>
        Assert.Contains("truncated", Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(Images(2, 3, 4, dataLength: 23))).Message);

    [Fact]
    public void RejectsTrailingData() =>
        Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(Images(2, 3, 4, dataLength: 25)));

    [Fact]
    public void RejectsTruncatedHeader() =>
        Assert.Throws<IdxFormatException>(() => IdxReader.ReadImages(Images(2, 3, 4)[..10]));

    [Fact]
    public void RejectsLabelOutsideDigits() =>
        Assert.Contains("not a digit", Assert.Throws<IdxFormatException>(() => IdxReader.ReadLabels(Labels(3, 10))).Message);

    [Fact]
    public void RealMnistHasTheExpectedShape()
    {
        var data = TestMnist.Load();
        Assert.Equal(60000, data.Train.Count);
        Assert.Equal(10000, data.Test.Count);
        Assert.Equal(5, data.Train.Labels[0]); // the famous first training digit
        Assert.Equal(7, data.Test.Labels[0]);
    }

    [Fact]
    public void WrittenFilesReadBack()
    {
        var pixels = Enumerable.Range(0, 3 * 28 * 28).Select(i => (byte)(i * 7)).ToArray();
        var images = IdxReader.ReadImages(IdxWriter.WriteImages(pixels, 3, 28, 28));
        Assert.Equal((3, 28, 28), (images.Count, images.Rows, images.Cols));
        Assert.Equal(pixels, images.Pixels);
        Assert.Equal(new byte[] { 9, 0, 4 }, IdxReader.ReadLabels(IdxWriter.WriteLabels([9, 0, 4])));
        Assert.Throws<ArgumentException>(() => IdxWriter.WriteLabels([10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => IdxWriter.WriteImages([], 0, 28, 28));
    }
}
