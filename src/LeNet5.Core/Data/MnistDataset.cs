namespace LeNet5.Core.Data;

/// <summary>One split of MNIST held in memory: 28x28 images of bytes and their labels.</summary>
public sealed class MnistSplit
{
    public const int Side = 28;
    public const int Pixels = Side * Side;

    public MnistSplit(byte[] images, byte[] labels)
    {
        if (images.Length != labels.Length * Pixels)
            throw new IdxFormatException($"{images.Length} image bytes do not hold {labels.Length} images of 28x28.");
        Images = images;
        Labels = labels;
    }

    public byte[] Images { get; }
    public byte[] Labels { get; }
    public int Count => Labels.Length;

    public ReadOnlySpan<byte> Image(int index) => Images.AsSpan(index * Pixels, Pixels);

    /// <summary>The first <paramref name="count"/> samples (for quick runs).</summary>
    public MnistSplit Take(int count) =>
        count >= Count ? this : new MnistSplit(Images[..(count * Pixels)], Labels[..count]);

    /// <summary>This split followed by <paramref name="other"/> repeated <paramref name="times"/> times.</summary>
    public MnistSplit Append(MnistSplit other, int times = 1)
    {
        if (times < 1 || other.Count == 0) return this;
        var images = new byte[Images.Length + times * other.Images.Length];
        var labels = new byte[Count + times * other.Count];
        Images.CopyTo(images, 0);
        Labels.CopyTo(labels, 0);
        for (int r = 0; r < times; r++)
        {
            other.Images.CopyTo(images, Images.Length + r * other.Images.Length);
            other.Labels.CopyTo(labels, Count + r * other.Count);
        }
        return new MnistSplit(images, labels);
    }
}

/// <summary>The MNIST training (60,000) and test (10,000) splits.</summary>
public sealed class MnistDataset(MnistSplit train, MnistSplit test)
{
    public MnistSplit Train { get; } = train;
    public MnistSplit Test { get; } = test;

    /// <summary>Loads the four verified IDX files from <paramref name="directory"/>.</summary>
    public static MnistDataset Load(string directory)
    {
        MnistSplit Read(MnistFile images, MnistFile labels)
        {
            var img = IdxReader.ReadImages(File.ReadAllBytes(Path.Combine(directory, images.Name)), images.Name);
            if (img.Rows != MnistSplit.Side || img.Cols != MnistSplit.Side)
                throw new IdxFormatException($"{images.Name}: images are {img.Rows}x{img.Cols}, expected 28x28.");
            var lab = IdxReader.ReadLabels(File.ReadAllBytes(Path.Combine(directory, labels.Name)), labels.Name);
            if (lab.Length != img.Count)
                throw new IdxFormatException($"{images.Name} holds {img.Count} images but {labels.Name} holds {lab.Length} labels.");
            return new MnistSplit(img.Pixels, lab);
        }
        return new MnistDataset(Read(MnistFile.TrainImages, MnistFile.TrainLabels), Read(MnistFile.TestImages, MnistFile.TestLabels));
    }
}
