using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LeNet5.Imaging;

/// <summary>Scanline unfiltering (PNG spec, section 9), with Up vectorised and Paeth on 4-byte pixels run a pixel per vector, four rows at once.</summary>
internal static class PngFilters
{
    /// <summary>Undoes one scanline's filter in place (PNG spec, section 9): <paramref name="previous"/> is the row above, already unfiltered.</summary>
    public static void Unfilter(byte filter, Span<byte> row, ReadOnlySpan<byte> previous, int bpp)
    {
        switch (filter)
        {
            case 0:
                return;
            case 1: // Sub: x += left
                for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp];
                return;
            case 2: // Up: x += above
                AddUp(row, previous);
                return;
            case 3: // Average: x += (left + above) / 2
                for (int i = 0; i < bpp; i++) row[i] += (byte)(previous[i] >> 1);
                for (int i = bpp; i < row.Length; i++) row[i] += (byte)((row[i - bpp] + previous[i]) >> 1);
                return;
            case 4: // Paeth: x += whichever of left, above and upper-left is nearest to left + above - upper-left
                if (bpp == 4 && Vector128.IsHardwareAccelerated) Paeth4(row, previous);
                else PaethScalar(row, previous, bpp);
                return;
            default:
                throw PngReader.Damaged("a row names a filter the PNG specification does not define");
        }
    }

    private static void AddUp(Span<byte> row, ReadOnlySpan<byte> previous)
    {
        int i = 0;
        for (; i + Vector256<byte>.Count <= row.Length; i += Vector256<byte>.Count)
            (Vector256.Create<byte>(row[i..]) + Vector256.Create(previous[i..])).CopyTo(row[i..]);
        for (; i < row.Length; i++) row[i] += previous[i];
    }

    private static void PaethScalar(Span<byte> row, ReadOnlySpan<byte> previous, int bpp)
    {
        for (int i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
            int pa = Math.Abs(b - c), pb = Math.Abs(a - c), pc = Math.Abs(a + b - 2 * c);
            row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
        }
    }

    /// <summary>Paeth for 4-byte pixels, the four channels of a pixel in one vector (the chain runs from pixel to pixel).</summary>
    private static void Paeth4(Span<byte> row, ReadOnlySpan<byte> previous)
    {
        ref byte x = ref row[0];
        ref byte above = ref Unsafe.AsRef(in previous[0]);
        Vector128<short> a = default, c = default;
        for (int i = 0; i < row.Length; i += 4)
        {
            var b = Widen(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref above, i)));
            a = PaethPixel(ref Unsafe.Add(ref x, i), a, b, c);
            c = b;
        }
    }

    public static bool AllPaeth(ReadOnlySpan<byte> block, int pitch)
    {
        for (int at = 0; at < block.Length; at += pitch)
            if (block[at] != 4) return false;
        return true;
    }

    /// <summary>
    /// Paeth on four consecutive rows of 4-byte pixels at once, each row one pixel behind the row above
    /// it: a pixel's left neighbour is its own row's previous result and its upper neighbours are the
    /// row above's last two results, so the four dependency chains are independent and overlap in the
    /// CPU instead of running one after another. Nothing is read back from memory but the row above the block.
    /// </summary>
    public static void Paeth4Interleaved(Span<byte> block, int pitch, ReadOnlySpan<byte> above)
    {
        int width = (pitch - 1) / 4;
        ref byte row0 = ref block[1];
        ref byte row1 = ref Unsafe.Add(ref row0, pitch);
        ref byte row2 = ref Unsafe.Add(ref row1, pitch);
        ref byte row3 = ref Unsafe.Add(ref row2, pitch);
        ref byte top = ref Unsafe.AsRef(in above[0]);
        Vector128<short> a0 = default, a1 = default, a2 = default, a3 = default;
        Vector128<short> c0 = default, c1 = default, c2 = default, c3 = default;
        for (int s = 0; s < width + 3; s++)
        {
            // from the lowest row up, so each row still sees the row above's result of the previous step
            if ((uint)(s - 3) < (uint)width) (a3, c3) = (PaethPixel(ref Unsafe.Add(ref row3, 4 * (s - 3)), a3, a2, c3), a2);
            if ((uint)(s - 2) < (uint)width) (a2, c2) = (PaethPixel(ref Unsafe.Add(ref row2, 4 * (s - 2)), a2, a1, c2), a1);
            if ((uint)(s - 1) < (uint)width) (a1, c1) = (PaethPixel(ref Unsafe.Add(ref row1, 4 * (s - 1)), a1, a0, c1), a0);
            if (s < width)
            {
                var b = Widen(Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref top, 4 * s)));
                (a0, c0) = (PaethPixel(ref Unsafe.Add(ref row0, 4 * s), a0, b, c0), b);
            }
        }
    }

    /// <summary>One 4-byte pixel of Paeth: its left (a), upper (b) and upper-left (c) neighbours in, the pixel written and returned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> PaethPixel(ref byte pixel, Vector128<short> a, Vector128<short> b, Vector128<short> c)
    {
        var pa = Vector128.Abs(b - c);
        var pb = Vector128.Abs(a - c);
        var pc = Vector128.Abs(a + b - c - c);
        var useA = Vector128.LessThanOrEqual(pa, pb) & Vector128.LessThanOrEqual(pa, pc);
        var predictor = Vector128.ConditionalSelect(useA, a, Vector128.ConditionalSelect(Vector128.LessThanOrEqual(pb, pc), b, c));
        var result = (Widen(Unsafe.ReadUnaligned<uint>(ref pixel)) + predictor) & Vector128.Create((short)0xFF);
        Unsafe.WriteUnaligned(ref pixel, Vector128.Narrow(result.AsUInt16(), result.AsUInt16()).AsUInt32().ToScalar());
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<short> Widen(uint fourBytes) =>
        Vector128.WidenLower(Vector128.CreateScalarUnsafe(fourBytes).AsByte()).AsInt16();
}
