using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace LeNet5.Core.Networks;

/// <summary>
/// How a 28x28 MNIST-style digit (0 = background, 255 = ink) becomes the network's 32x32 input:
/// padded by 2 on every side, background -0.1 and full ink 1.175, so the inputs have mean about 0
/// and variance about 1 (paper, section II-A).
/// </summary>
public static class InputEncoding
{
    public const int Side = 32;
    public const int Size = Side * Side;
    public const int Padding = (Side - 28) / 2;
    public const float Background = -0.1f;
    public const float Ink = 1.175f;

    /// <summary>d input / d pixel on the 28x28 interior: the encoding is affine in the 0-255 value.</summary>
    public const float LevelPerByte = (Ink - Background) / 255f;

    public static float Level(float byteValue) => Background + (Ink - Background) * (byteValue / 255f);

    // Level of every byte, computed by Level itself: a table read instead of a division a pixel, the same floats to the bit
    private static readonly float[] ByteLevels = [.. Enumerable.Range(0, 256).Select(b => Level(b))];

    /// <summary>
    /// Chains dE/d(32x32 input) back to dE/d(28x28 pixel): d input / d pixel = <see cref="LevelPerByte"/>
    /// inside, and the padding is no pixel. (Ignores the clamp to 0-255, as a subgradient does.)
    /// </summary>
    public static void PixelGradient(ReadOnlySpan<float> dInput32, Span<float> dPixels28)
    {
        for (int r = 0; r < 28; r++)
            for (int c = 0; c < 28; c++)
                dPixels28[r * 28 + c] = LevelPerByte * dInput32[(r + Padding) * Side + c + Padding];
    }

    public static void Encode(ReadOnlySpan<byte> digit28, Span<float> input32)
    {
        if (digit28.Length != 28 * 28) throw new ArgumentException("expected 784 pixels", nameof(digit28));
        input32[..Size].Fill(Background);
        if (Avx512F.IsSupported)
        {
            // each row as two overlapping runs of 16 (columns 0-15 and 12-27), each level computed as Level computes it
            ref byte from = ref MemoryMarshal.GetReference(digit28);
            ref float to = ref MemoryMarshal.GetReference(input32);
            for (int r = 0; r < 28; r++)
            {
                ref byte row = ref Unsafe.Add(ref from, r * 28);
                ref float target = ref Unsafe.Add(ref to, (r + Padding) * Side + Padding);
                Levels(Vector128.LoadUnsafe(ref row)).StoreUnsafe(ref target);
                Levels(Vector128.LoadUnsafe(ref row, 12)).StoreUnsafe(ref target, 12);
            }
            return;
        }
        var levels = ByteLevels.AsSpan();
        for (int r = 0; r < 28; r++)
        {
            var row = digit28.Slice(r * 28, 28);
            var to = input32.Slice((r + Padding) * Side + Padding, 28);
            for (int c = 0; c < row.Length; c++) to[c] = levels[row[c]];
        }
    }

    /// <summary>Level of 16 bytes at once: the same operations in the same order as <see cref="Level"/>, so the same floats to the bit.</summary>
    private static Vector512<float> Levels(Vector128<byte> bytes) =>
        Vector512.Create(Background) + Vector512.Create(Ink - Background) * (Avx512F.ConvertToVector512Single(Avx512F.ConvertToVector512Int32(bytes)) / Vector512.Create(255f));

    /// <summary>The same from 784 floats in 0-255 (what the web API's pixel form sends).</summary>
    public static void Encode(ReadOnlySpan<float> digit28, Span<float> input32)
    {
        if (digit28.Length != 28 * 28) throw new ArgumentException("expected 784 pixels", nameof(digit28));
        input32[..Size].Fill(Background);
        for (int r = 0; r < 28; r++)
            for (int c = 0; c < 28; c++)
                input32[(r + Padding) * Side + c + Padding] = Level(Math.Clamp(digit28[r * 28 + c], 0f, 255f));
    }
}
