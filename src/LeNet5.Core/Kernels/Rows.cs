using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace LeNet5.Core.Kernels;

/// <summary>
/// Copies of short rows between layouts of different strides (a map's rows in and out of the
/// convolution's vector-strided planes). A LeNet-5 row is 5 to 32 floats, too short for a general
/// copy's call to pay off, so each row moves as two overlapping vectors.
/// </summary>
internal static class Rows
{
    /// <summary>dst[r dstStride + c] = src[r srcStride + c] for r &lt; rows, c &lt; width.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Copy(ReadOnlySpan<float> src, int srcStride, Span<float> dst, int dstStride, int width, int rows)
    {
        if (rows == 0) return;
        if (width > srcStride || width > dstStride || src.Length < (rows - 1) * srcStride + width || dst.Length < (rows - 1) * dstStride + width)
            throw new ArgumentException("the rows do not fit their buffers");
        ref float s = ref MemoryMarshal.GetReference(src);
        ref float d = ref MemoryMarshal.GetReference(dst);
        bool wide = width is >= 16 and <= 32 && Vector512.IsHardwareAccelerated;
        if (wide || width is >= 8 and < 16 && Vector256.IsHardwareAccelerated)
        {
            // the head vector and the one ending at the row's last float cover it, overlapping in the middle
            for (int r = 0; r < rows; r++)
            {
                ref float sr = ref Unsafe.Add(ref s, r * srcStride);
                ref float dr = ref Unsafe.Add(ref d, r * dstStride);
                if (wide)
                {
                    var (head, tail) = (Vector512.LoadUnsafe(ref sr), Vector512.LoadUnsafe(ref sr, (nuint)(width - 16)));
                    head.StoreUnsafe(ref dr);
                    tail.StoreUnsafe(ref dr, (nuint)(width - 16));
                }
                else
                {
                    var (head, tail) = (Vector256.LoadUnsafe(ref sr), Vector256.LoadUnsafe(ref sr, (nuint)(width - 8)));
                    head.StoreUnsafe(ref dr);
                    tail.StoreUnsafe(ref dr, (nuint)(width - 8));
                }
            }
            return;
        }
        for (int r = 0; r < rows; r++)
            src.Slice(r * srcStride, width).CopyTo(dst.Slice(r * dstStride, width));
    }
}
