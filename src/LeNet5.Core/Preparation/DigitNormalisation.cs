using LeNet5.Core.Data;

namespace LeNet5.Core.Preparation;

/// <summary>
/// What a model does to a laid-out 28x28 digit before it reads it, beyond MNIST's own layout:
/// <see cref="Preparation.Deskew"/> stands a slanted digit upright, <see cref="StrokeNormalisation"/>
/// redraws every pen at MNIST's width. A model trained with either records it
/// (<see cref="Models.MetadataKeys.Preparation"/>), and every face applies the same steps to that
/// model's inputs: training images, test sets, drawings and pixels alike.
/// </summary>
public sealed record DigitNormalisation(bool Deskew, bool NormaliseStrokes)
{
    public const string DeskewWord = "deskew";
    public const string NormaliseStrokesWord = "normalise-strokes";

    public static readonly DigitNormalisation None = new(false, false);

    public bool IsNone => !Deskew && !NormaliseStrokes;

    /// <summary>The steps in the order they run, as the model's metadata writes them ("deskew normalise-strokes"); empty for none.</summary>
    public override string ToString() =>
        string.Join(' ', new[] { Deskew ? DeskewWord : null, NormaliseStrokes ? NormaliseStrokesWord : null }.OfType<string>());

    /// <summary>The steps a model's metadata names; unknown words are refused, so a model is never read with steps missing.</summary>
    public static DigitNormalisation Parse(string? text)
    {
        var words = (text ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var word in words)
            if (word is not (DeskewWord or NormaliseStrokesWord))
                throw new FormatException($"unknown preparation step '{word}': this version knows {DeskewWord} and {NormaliseStrokesWord}");
        return new DigitNormalisation(words.Contains(DeskewWord), words.Contains(NormaliseStrokesWord));
    }

    /// <summary>The digit with the steps applied (deskew first, since the pen is redrawn along the upright strokes); a copy for none.</summary>
    public byte[] Apply(ReadOnlySpan<byte> digit28)
    {
        var digit = Deskew ? Preparation.Deskew.Apply(digit28) : digit28.ToArray();
        return NormaliseStrokes ? StrokeNormalisation.Apply(digit) : digit;
    }

    /// <summary>The same on pixels given as numbers (0-255, rounded and clamped).</summary>
    public float[] Apply(ReadOnlySpan<float> pixels28)
    {
        if (IsNone) return pixels28.ToArray();
        var digit = new byte[pixels28.Length];
        for (int i = 0; i < digit.Length; i++) digit[i] = (byte)Math.Clamp(MathF.Round(pixels28[i]), 0, 255);
        return Array.ConvertAll(Apply(digit), b => (float)b);
    }

    /// <summary>Every digit of a set with the steps applied, in parallel; the set itself for none.</summary>
    public MnistSplit Apply(MnistSplit split)
    {
        if (IsNone) return split;
        var images = new byte[split.Images.Length];
        Parallel.For(0, split.Count, i => Apply(split.Image(i)).CopyTo(images.AsSpan(i * MnistLayout.Pixels, MnistLayout.Pixels)));
        return new MnistSplit(images, split.Labels);
    }
}
