using LeNet5.Core.Preparation;

namespace LeNet5.Testing;

/// <summary>
/// The preparation written the plain way, to hold the fast one to: every output of the resize sums every
/// input it covers, in the same order and with the same float weights, whatever the levels; no pixel is
/// skipped for being background. Slow, and only for the tests.
/// </summary>
public static class PlainPreparation
{
    /// <summary>MNIST's layout of a composited image, as <see cref="MnistLayout.Lay"/> defines it; null when no pixel is ink.</summary>
    public static byte[]? Lay(ReadOnlySpan<byte> grey, int width, int height, InkLevels levels)
    {
        var ink = new byte[grey.Length];
        for (int i = 0; i < ink.Length; i++) ink[i] = levels[grey[i]];
        if (InkBox.Find(ink, width, height, InkBox.DefaultThreshold) is not { } box) return null;
        var (fitWidth, fitHeight) = MnistLayout.FitSize(box.Width, box.Height);
        var table = new byte[256];
        levels.Fill(table);
        var fitted = new byte[fitWidth * fitHeight];
        Resize(grey, width, box, table, fitted, fitWidth, fitHeight);
        MnistLayout.StretchToFullInk(fitted);
        return MnistLayout.PlaceCentred(fitted, fitWidth, fitHeight);
    }

    /// <summary><see cref="Resampler.Resize"/> by its definition: rows across, then columns down, each output the weighted sum of all its inputs.</summary>
    public static void Resize(ReadOnlySpan<byte> source, int stride, InkBox region, ReadOnlySpan<byte> levels, Span<byte> target, int width, int height)
    {
        var columns = Taps(region.Width, width);
        var rows = Taps(region.Height, height);
        var across = new float[region.Height * width];
        for (int y = 0; y < region.Height; y++)
            for (int o = 0; o < width; o++)
            {
                float sum = 0;
                foreach (var (input, weight) in columns[o]) sum += (float)levels[source[(region.Y + y) * stride + region.X + input]] * weight;
                across[y * width + o] = sum;
            }
        for (int o = 0; o < height; o++)
            for (int x = 0; x < width; x++)
            {
                float sum = 0;
                foreach (var (input, weight) in rows[o]) sum += across[input * width + x] * weight;
                target[o * width + x] = (byte)Math.Clamp((int)(sum + 0.5f), 0, 255);
            }
    }

    /// <summary>Each output's inputs and weights: the area it shares with each when shrinking, linear between centres when enlarging.</summary>
    private static List<(int Input, float Weight)>[] Taps(int inputs, int outputs)
    {
        var taps = new List<(int, float)>[outputs];
        double scale = (double)inputs / outputs;
        for (int o = 0; o < outputs; o++)
        {
            taps[o] = [];
            if (inputs >= outputs)
            {
                double start = o * scale, end = (o + 1) * scale;
                for (int i = (int)Math.Floor(start); i < Math.Min(inputs, (int)Math.Ceiling(end - 1e-9)); i++)
                    taps[o].Add((i, (float)((Math.Min(i + 1, end) - Math.Max(i, start)) / scale)));
                continue;
            }
            double x = Math.Clamp((o + 0.5) * scale - 0.5, 0, inputs - 1);
            int first = Math.Min((int)x, inputs - 1);
            float f = (float)(x - first);
            if (first + 1 < inputs && f > 0) taps[o].AddRange([(first, 1 - f), (first + 1, f)]);
            else taps[o].Add((first, 1));
        }
        return taps;
    }
}
