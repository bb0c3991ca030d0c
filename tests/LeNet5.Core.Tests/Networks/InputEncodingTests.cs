using LeNet5.Core.Networks;

namespace LeNet5.Core.Tests;

/// <summary>The 28x28 to 32x32 encoding: the paper's levels, padded, the same from bytes as from numbers.</summary>
public sealed class InputEncodingTests
{
    [Fact]
    public void EveryByteIsEncodedAsItsLevelBitForBitAndThePaddingIsBackground()
    {
        // every byte value somewhere in the digit, at several places
        var digit = Enumerable.Range(0, 784).Select(i => (byte)(i * 7 % 256)).ToArray();
        var fromBytes = new float[InputEncoding.Size];
        var fromNumbers = new float[InputEncoding.Size];
        InputEncoding.Encode(digit, fromBytes);
        InputEncoding.Encode(Array.ConvertAll(digit, b => (float)b), fromNumbers);
        for (int r = 0; r < InputEncoding.Side; r++)
            for (int c = 0; c < InputEncoding.Side; c++)
            {
                int i = r * InputEncoding.Side + c;
                bool inside = r >= InputEncoding.Padding && r < InputEncoding.Padding + 28 && c >= InputEncoding.Padding && c < InputEncoding.Padding + 28;
                float expected = inside ? InputEncoding.Level(digit[(r - InputEncoding.Padding) * 28 + c - InputEncoding.Padding]) : InputEncoding.Background;
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(fromBytes[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(fromNumbers[i]));
            }
        Assert.Equal(InputEncoding.Background, InputEncoding.Level(0));
        Assert.Equal(InputEncoding.Ink, InputEncoding.Level(255), 6);
    }
}
