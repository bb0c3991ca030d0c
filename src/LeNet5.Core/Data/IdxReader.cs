using System.Buffers.Binary;

namespace LeNet5.Core.Data;

/// <summary>A malformed or unexpected IDX file (the format of the MNIST distribution).</summary>
public sealed class IdxFormatException(string message) : Exception(message);

/// <summary>
/// Reads the IDX files of MNIST: a big-endian header (two zero bytes, a type code, the number of
/// dimensions, one 32-bit size per dimension) followed by the raw unsigned bytes.
/// </summary>
public static class IdxReader
{
    private const byte UnsignedByteType = 0x08;

    /// <summary>Reads an idx3-ubyte image file: count x rows x cols bytes, 0 = background, 255 = ink.</summary>
    public static (byte[] Pixels, int Count, int Rows, int Cols) ReadImages(byte[] file, string name = "images")
    {
        var dims = ReadHeader(file, name, expectedDimensions: 3);
        return (file[(4 + 3 * 4)..], dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads an idx1-ubyte label file and checks that every label is a digit.</summary>
    public static byte[] ReadLabels(byte[] file, string name = "labels")
    {
        ReadHeader(file, name, expectedDimensions: 1);
        var labels = file[(4 + 4)..];
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] > 9)
                throw new IdxFormatException($"{name}: label {i} is {labels[i]}, not a digit 0-9.");
        }
        return labels;
    }

    private static int[] ReadHeader(ReadOnlySpan<byte> file, string name, int expectedDimensions)
    {
        int headerLength = 4 + 4 * expectedDimensions;
        if (file.Length < 4)
            throw new IdxFormatException($"{name}: {file.Length} bytes is too short for an IDX header.");
        if (file[0] != 0 || file[1] != 0)
            throw new IdxFormatException($"{name}: bad magic number (first two bytes must be zero); is this an IDX file?");
        if (file[2] != UnsignedByteType)
            throw new IdxFormatException($"{name}: element type 0x{file[2]:x2} is not unsigned byte (0x08).");
        if (file[3] != expectedDimensions)
            throw new IdxFormatException($"{name}: {file[3]} dimensions, expected {expectedDimensions}.");
        if (file.Length < headerLength)
            throw new IdxFormatException($"{name}: truncated header ({file.Length} bytes, need {headerLength}).");

        var dims = new int[expectedDimensions];
        long expected = 1;
        for (int d = 0; d < expectedDimensions; d++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(file[(4 + 4 * d)..]);
            if (size == 0 || size > 10_000_000)
                throw new IdxFormatException($"{name}: dimension {d} has implausible size {size}.");
            dims[d] = (int)size;
            expected *= size;
        }
        long actual = file.Length - headerLength;
        if (actual != expected)
            throw new IdxFormatException(
                $"{name}: header promises {expected} data bytes ({string.Join('x', dims)}) but the file holds {actual}; the file is truncated or corrupt.");
        return dims;
    }
}
