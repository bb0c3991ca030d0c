using System.Buffers;

namespace LeNet5.Imaging;

/// <summary>
/// The buffers a preparation decodes into: pooled up to the fast path's size (a drawing's buffers are
/// reused, request after request), allocated and left to the collector above it, so the pool never
/// keeps a rare huge picture's memory alive.
/// </summary>
internal static class PixelBuffers
{
    private const int MaxPooledBytes = 2 * PngScanlines.MaxPixels;

    public static byte[] Rent(int bytes) =>
        bytes <= MaxPooledBytes ? ArrayPool<byte>.Shared.Rent(bytes) : GC.AllocateUninitializedArray<byte>(bytes);

    public static void Return(byte[] buffer)
    {
        if (buffer.Length <= MaxPooledBytes && buffer.Length > 0) ArrayPool<byte>.Shared.Return(buffer);
    }
}
