using LeNet5.Core.Layers;
using LeNet5.Core.Models;
using LeNet5.Core.Preparation;

namespace LeNet5.Core.Explanation;

/// <summary>How a dream is made: the number of ascent steps, the step in pixel levels, and the penalties.</summary>
/// <param name="Steps">Gradient steps on the input.</param>
/// <param name="StepSize">Largest change of one pixel in one step, in levels of 0-255 (the step is the gradient scaled to it).</param>
/// <param name="Smoothness">Weight of the Laplacian (smoothness) penalty: each step moves a pixel this fraction toward its neighbours' mean.</param>
/// <param name="Decay">Weight of the ink (L2) penalty: each step pulls every pixel this fraction toward the background.</param>
/// <param name="Jitter">Each step climbs the gradient of the dream shifted by up to this many pixels each way, at random.</param>
/// <param name="Coarse">The fraction of the steps, the first ones, whose gradient is averaged over 2x2 blocks: the dream grows as whole strokes before it is refined pixel by pixel.</param>
/// <param name="Seed">Seeds the jitter, so that a model's dreams are the same every time.</param>
public sealed record DreamSettings(int Steps = 300, float StepSize = 32f, float Smoothness = 0.1f, float Decay = 0.015f, int Jitter = 2, float Coarse = 0.5f, int Seed = 0)
{
    public static readonly DreamSettings Default = new();
}

/// <summary>
/// What the network thinks each digit looks like: for every class, a 28x28 input found by gradient
/// ascent on the input itself (the activation-maximisation of Erhan et al. 2009, Simonyan et al. 2013),
/// starting from a blank field. Each step climbs the margin of the class's evidence over its strongest
/// rival, then a Laplacian step smooths it and an L2 step pulls it toward the background, and the
/// pixels are clipped to 0-255 (the range penalty as a projection), so the result stays a readable drawing.
/// As feature-visualisation work does, the gradient is taken of the dream shifted by a pixel or two at
/// random (jitter), and for the first half of the steps it is averaged over 2x2 blocks (a coarser scale):
/// what the network answers only at one exact position or in single pixels does not survive, so the
/// strokes that grow are those other readers of digits see too, not one network's private code. The
/// result is shown at full contrast, its darkest pixel at full ink.
/// </summary>
public static class Dreams
{
    /// <summary>The ten dreams of a model, digit 0 to 9.</summary>
    public static float[][] All(LeNet5Model model, DreamSettings? settings = null)
    {
        var pass = new EvidenceGradient(model);
        return [.. Enumerable.Range(0, OutputHead.Classes).Select(d => Dream(pass, d, settings ?? DreamSettings.Default))];
    }

    /// <summary>One class's dream.</summary>
    public static float[] Dream(EvidenceGradient pass, int digit, DreamSettings settings)
    {
        var x = new float[MnistLayout.Pixels];
        var g = new float[MnistLayout.Pixels];
        var smooth = new float[MnistLayout.Pixels];
        var shifted = new float[MnistLayout.Pixels];
        var shiftedGradient = new float[MnistLayout.Pixels];
        var random = new Random(settings.Seed * OutputHead.Classes + digit);
        for (int step = 0; step < settings.Steps; step++)
        {
            int dx = random.Next(-settings.Jitter, settings.Jitter + 1), dy = random.Next(-settings.Jitter, settings.Jitter + 1);
            Shift(x, shifted, dx, dy);
            pass.Forward(shifted);
            pass.Compute(shifted, digit, shiftedGradient, pass.Rival(digit));
            Shift(shiftedGradient, g, -dx, -dy);
            if (step < settings.Coarse * settings.Steps) BlockMean(g);
            // ascent: x += a g / max|g| (a step of a fixed size in the steepest pixel, whatever the scale of the evidence)
            float peak = MaxAbs(g);
            if (peak > 0)
                for (int i = 0; i < x.Length; i++) x[i] += settings.StepSize * g[i] / peak;
            // smoothness: a gradient step on the Laplacian penalty sum (x_i - x_j)^2 over neighbours, x -= s (x - mean of neighbours)
            NeighbourMean(x, smooth);
            for (int i = 0; i < x.Length; i++)
                x[i] = Math.Clamp(x[i] - settings.Smoothness * (x[i] - smooth[i]) - settings.Decay * x[i], 0f, 255f);
        }
        // shown at full contrast: the darkest stroke at full ink, as a pen would draw it
        float darkest = x.Max();
        if (darkest > 0)
            for (int i = 0; i < x.Length; i++) x[i] = MathF.Min(255f, x[i] * (255f / darkest));
        return x;
    }

    internal static float MaxAbs(ReadOnlySpan<float> values)
    {
        float peak = 0;
        foreach (var v in values) peak = MathF.Max(peak, MathF.Abs(v));
        return peak;
    }

    // every 2x2 block of the field replaced by its mean
    private static void BlockMean(Span<float> x)
    {
        const int S = MnistLayout.Side;
        for (int r = 0; r < S; r += 2)
            for (int c = 0; c < S; c += 2)
            {
                int i = r * S + c;
                float mean = (x[i] + x[i + 1] + x[i + S] + x[i + S + 1]) / 4f;
                x[i] = x[i + 1] = x[i + S] = x[i + S + 1] = mean;
            }
    }

    // dst = src moved by (dx, dy) pixels, background where nothing moved in
    private static void Shift(ReadOnlySpan<float> src, Span<float> dst, int dx, int dy)
    {
        const int S = MnistLayout.Side;
        dst.Clear();
        for (int r = Math.Max(0, dy); r < Math.Min(S, S + dy); r++)
            src.Slice((r - dy) * S + Math.Max(0, -dx), S - Math.Abs(dx)).CopyTo(dst.Slice(r * S + Math.Max(0, dx)));
    }

    // the mean of each pixel's 4 neighbours, the field's edge counting as background
    private static void NeighbourMean(ReadOnlySpan<float> x, Span<float> mean)
    {
        const int S = MnistLayout.Side;
        for (int r = 0; r < S; r++)
            for (int c = 0; c < S; c++)
            {
                float up = r > 0 ? x[(r - 1) * S + c] : 0, down = r < S - 1 ? x[(r + 1) * S + c] : 0;
                float left = c > 0 ? x[r * S + c - 1] : 0, right = c < S - 1 ? x[r * S + c + 1] : 0;
                mean[r * S + c] = (up + down + left + right) / 4f;
            }
    }
}
