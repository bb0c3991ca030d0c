using System.Buffers;

namespace LeNet5.Imaging;

/// <summary>
/// Every buffer a preparation rents: pooled up to a megapixel's (luminance, alpha) pairs (a drawing's
/// buffers are reused, request after request), allocated and left to the collector above it, so the
/// pool never keeps a rare huge image's memory alive. Rentals are counted, so a path that forgets
/// to give one back shows as <see cref="Outstanding"/> that never returns to zero.
/// </summary>
internal static class PixelBuffers
{
    private const int MaxPooledBytes = 2 << 20;
    private static long _outstanding;

    /// <summary>Buffers rented and not yet returned, across all threads.</summary>
    public static long Outstanding => Interlocked.Read(ref _outstanding);

    public static byte[] Rent(int bytes)
    {
        Interlocked.Increment(ref _outstanding);
        return bytes <= MaxPooledBytes ? ArrayPool<byte>.Shared.Rent(bytes) : GC.AllocateUninitializedArray<byte>(bytes);
    }

    public static void Return(byte[] buffer)
    {
        Interlocked.Decrement(ref _outstanding);
        if (buffer.Length <= MaxPooledBytes) ArrayPool<byte>.Shared.Return(buffer);
    }
}
