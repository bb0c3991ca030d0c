using LeNet5.Core.Models;
using LeNet5.Core.Preparation;

namespace LeNet5.Core.Explanation;

/// <summary>How far a nudge may go.</summary>
/// <param name="MaxSteps">Gradient steps at most.</param>
/// <param name="StepSize">Largest change of one pixel in one step, in levels of 0-255.</param>
/// <param name="Budget">L-infinity budget: no pixel moves more than this many levels from the drawing.</param>
public sealed record NudgeSettings(int MaxSteps = 200, float StepSize = 4f, float Budget = 160f)
{
    public static readonly NudgeSettings Default = new();
}

/// <summary>The changed drawing and how it got there.</summary>
/// <param name="Pixels">The nudged 28x28 (0-255).</param>
/// <param name="Digit">What the network reads in it.</param>
/// <param name="Reached">True when that is the target.</param>
/// <param name="Steps">Gradient steps taken.</param>
/// <param name="MaxChange">The largest change of one pixel (L-infinity), in levels.</param>
/// <param name="MeanChange">The mean absolute change per pixel, in levels.</param>
public sealed record NudgeResult(float[] Pixels, int Digit, bool Reached, int Steps, float MaxChange, float MeanChange);

/// <summary>
/// The small change that makes the network read another digit: projected gradient steps on the 28x28
/// pixels (the iterative attack of Kurakin et al. 2016, with L-infinity steps as in Madry et al. 2017)
/// climbing the margin of the target's evidence over the strongest other digit, each step kept within
/// the budget around the drawing and within 0-255, stopping at the first step the network reads the target.
/// </summary>
public static class Nudge
{
    public static NudgeResult Toward(LeNet5Model model, ReadOnlySpan<float> pixels28, int target, NudgeSettings? settings = null)
    {
        settings ??= NudgeSettings.Default;
        if (pixels28.Length != MnistLayout.Pixels) throw new ArgumentException($"expected {MnistLayout.Pixels} pixels", nameof(pixels28));
        var pass = new EvidenceGradient(model);
        var original = pixels28.ToArray();
        var x = pixels28.ToArray();
        var g = new float[x.Length];
        int steps = 0;
        pass.Forward(x);
        while (pass.Digit != target && steps < settings.MaxSteps)
        {
            pass.Compute(x, target, g, pass.Rival(target));
            float peak = Dreams.MaxAbs(g);
            if (peak == 0) break;
            for (int i = 0; i < x.Length; i++)
            {
                float moved = x[i] + settings.StepSize * g[i] / peak;
                x[i] = Math.Clamp(Math.Clamp(moved, original[i] - settings.Budget, original[i] + settings.Budget), 0f, 255f);
            }
            steps++;
            pass.Forward(x);
        }
        float max = 0, sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float d = MathF.Abs(x[i] - original[i]);
            max = MathF.Max(max, d);
            sum += d;
        }
        return new NudgeResult(x, pass.Digit, pass.Digit == target, steps, max, sum / x.Length);
    }
}
