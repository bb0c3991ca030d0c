using System.Buffers.Binary;

namespace LeNet5.Core.Data;

/// <summary>
/// Writes IDX files as <see cref="IdxReader"/> reads them (and as MNIST's tools expect): a big-endian
/// header (two zero bytes, the unsigned-byte type 0x08, the number of dimensions, one 32-bit size per
/// dimension) followed by the raw bytes.
/// </summary>
public static class IdxWriter
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>An idx3-ubyte image file of <paramref name="count"/> images of rows x cols bytes (0 = background, 255 = ink).</summary>
    public static byte[] WriteImages(ReadOnlySpan<byte> pixels, int count, int rows, int cols)
    {
        if (count < 1 || rows < 1 || cols < 1)
            throw new ArgumentOutOfRangeException(nameof(count), "an IDX file holds at least one image of at least 1x1 (IdxReader refuses a zero dimension)");
        if (pixels.Length != (long)count * rows * cols)
            throw new ArgumentException($"{pixels.Length} bytes do not hold {count} images of {rows}x{cols}.", nameof(pixels));
        return Write(pixels, count, rows, cols);
    }

    /// <summary>An idx1-ubyte label file; every label must be a digit 0-9.</summary>
    public static byte[] WriteLabels(ReadOnlySpan<byte> labels)
    {
        if (labels.IsEmpty) throw new ArgumentException("an IDX file holds at least one label (IdxReader refuses a zero dimension)", nameof(labels));
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] > 9) throw new ArgumentException($"label {i} is {labels[i]}, not a digit 0-9.", nameof(labels));
        }
        return Write(labels, labels.Length);
    }

    private static byte[] Write(ReadOnlySpan<byte> data, params ReadOnlySpan<int> dimensions)
    {
        int header = 4 + 4 * dimensions.Length;
        var file = new byte[header + data.Length];
        file[2] = UnsignedByteType;
        file[3] = (byte)dimensions.Length;
        for (int d = 0; d < dimensions.Length; d++) BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan(4 + 4 * d), (uint)dimensions[d]);
        data.CopyTo(file.AsSpan(header));
        return file;
    }
}
