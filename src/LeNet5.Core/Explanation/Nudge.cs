using LeNet5.Core.Layers;
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
    public static NudgeResult Toward(LeNet5Model model, ReadOnlySpan<float> pixels28, int target, NudgeSettings? settings = null) =>
        Toward([model], pixels28, target, settings);

    /// <summary>
    /// The same against a committee (the answer the mean of its members' calibrated probabilities): each
    /// step climbs the sum of the margins of the members that do not read the target yet, each
    /// member's gradient scaled to the same peak, and the nudge stops at the first step the committee reads it.
    /// </summary>
    public static NudgeResult Toward(IReadOnlyList<LeNet5Model> committee, ReadOnlySpan<float> pixels28, int target, NudgeSettings? settings = null)
    {
        settings ??= NudgeSettings.Default;
        if (pixels28.Length != MnistLayout.Pixels) throw new ArgumentException($"expected {MnistLayout.Pixels} pixels", nameof(pixels28));
        if (committee.Count == 0) throw new ArgumentException("a nudge needs a model", nameof(committee));
        var passes = committee.Select(m => new EvidenceGradient(m)).ToArray();
        var original = pixels28.ToArray();
        var x = pixels28.ToArray();
        var g = new float[x.Length];
        var step = new float[x.Length];
        var mean = new float[OutputHead.Classes];
        var probabilities = new float[OutputHead.Classes];
        int steps = 0;
        int digit = Read(x);
        while (digit != target && steps < settings.MaxSteps)
        {
            Array.Clear(step);
            foreach (var pass in passes)
            {
                if (pass.Digit == target && passes.Length > 1) continue;
                pass.Compute(x, target, g, pass.Rival(target));
                float own = Dreams.MaxAbs(g);
                if (own == 0) continue;
                for (int i = 0; i < x.Length; i++) step[i] += g[i] / own;
            }
            float peak = Dreams.MaxAbs(step);
            if (peak == 0) break;
            for (int i = 0; i < x.Length; i++)
            {
                float moved = x[i] + settings.StepSize * step[i] / peak;
                x[i] = Math.Clamp(Math.Clamp(moved, original[i] - settings.Budget, original[i] + settings.Budget), 0f, 255f);
            }
            steps++;
            digit = Read(x);
        }
        float max = 0, sum = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float d = MathF.Abs(x[i] - original[i]);
            max = MathF.Max(max, d);
            sum += d;
        }
        return new NudgeResult(x, digit, digit == target, steps, max, sum / x.Length);

        // every member reads x; one model's answer is its own, a committee's the argmax of the mean probabilities
        int Read(float[] pixels)
        {
            foreach (var pass in passes) pass.Forward(pixels);
            if (passes.Length == 1) return passes[0].Digit;
            Array.Clear(mean);
            for (int m = 0; m < passes.Length; m++)
            {
                committee[m].Network.Head.Probabilities(passes[m].Scores, committee[m].Temperature, probabilities);
                for (int c = 0; c < mean.Length; c++) mean[c] += probabilities[c];
            }
            int best = 0;
            for (int c = 1; c < mean.Length; c++)
                if (mean[c] > mean[best]) best = c;
            return best;
        }
    }
}
