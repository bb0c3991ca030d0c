using System.Buffers.Binary;

namespace LeNet5.Imaging;

/// <summary>
/// The one field of a BMP's header that ImageSharp 2.1's decoder trusts before checking it: where the pixel data
/// starts. The decoder allocates the colour palette that this offset leaves room for (or that the header's colour count
/// asks for, when the offset leaves room for that) and only then checks that the offset lies inside the file, so a
/// 100-byte BMP could make it allocate and zero gigabytes, in <c>Identify</c> as in the decode. A BMP whose pixel data
/// would start outside it is refused here, before ImageSharp sees it; inside the file, every palette is smaller than the file.
/// </summary>
internal static class BmpHeader
{
    private const int FileHeaderSize = 14;
    private const int DataOffsetAt = 10;

    /// <summary>True for a BMP (or an OS/2 bitmap array, whose first bitmap is the one decoded) whose pixel data would start before its first byte or after its last.</summary>
    public static bool DataLiesOutsideTheFile(ReadOnlySpan<byte> encoded)
    {
        int fileHeader;
        if (encoded is [(byte)'B', (byte)'M', ..]) fileHeader = 0;
        else if (encoded is [(byte)'B', (byte)'A', ..]) fileHeader = FileHeaderSize; // the array's header, then the first bitmap's
        else return false;
        if (encoded.Length < fileHeader + FileHeaderSize) return false; // too short for a header: ImageSharp refuses it unaided
        int dataOffset = BinaryPrimitives.ReadInt32LittleEndian(encoded[(fileHeader + DataOffsetAt)..]);
        return dataOffset < 0 || dataOffset > encoded.Length;
    }
}
