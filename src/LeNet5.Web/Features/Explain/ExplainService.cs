using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using LeNet5.Core.Explanation;
using LeNet5.Web.Features.Predict;

namespace LeNet5.Web.Features.Explain;

/// <summary>
/// Saliency, nudges and dreams over the engine's <see cref="EvidenceGradient"/>, on the input the
/// Predict feature prepares. Dreams are computed once per model (on first request) and kept with its other answers (<see cref="ModelAnswers"/>).
/// </summary>
public sealed class ExplainService(PredictionService predictor, ModelCommittee committee, ModelAnswers answers)
{
    // a pass owns a workspace and a parameter-sized buffer: reused across requests rather than allocated per request
    private readonly ConditionalWeakTable<LeNet5Model, ConcurrentBag<EvidenceGradient>> _passes = [];

    public async Task<ExplainResponse> ExplainAsync(ModelEntry entry, PredictInput input, int? target, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        var pixels = (await predictor.RecognizeAsync(entry, input, details: false, cancellationToken)).Pixels;
        var passes = _passes.GetValue(entry.Model, _ => []);
        if (!passes.TryTake(out var pass)) pass = new EvidenceGradient(entry.Model);
        try
        {
            pass.Forward(pixels);
            int digit = pass.Digit, runnerUp = pass.Rival(digit), explained = target ?? digit;
            var saliency = new float[pixels.Length];
            float evidence = pass.Compute(pixels, explained, saliency);
            return new ExplainResponse(digit, explained, runnerUp, evidence, saliency, pixels, entry.Id, Elapsed(started));
        }
        finally
        {
            passes.Add(pass);
        }
    }

    public async Task<NudgeResponse> NudgeAsync(ModelEntry entry, PredictInput input, int target, CancellationToken cancellationToken)
    {
        long started = Stopwatch.GetTimestamp();
        var recognition = await predictor.RecognizeAsync(entry, input, details: false, cancellationToken);
        // the lead of a committee is nudged until the committee, which answers for it, reads the target
        var members = committee.For(entry)?.Select(m => m.Model).ToArray() ?? [entry.Model];
        var result = Nudge.Toward(members, recognition.Pixels, target);
        return new NudgeResponse(result.Pixels, result.Digit, target, recognition.Prediction.Digit, result.Reached, result.Steps,
            MathF.Round(result.MaxChange, 2), MathF.Round(result.MeanChange, 2), recognition.Pixels, entry.Id, Elapsed(started));
    }

    /// <summary>The ten dreams as their JSON answer (a <see cref="DreamResponse"/> array).</summary>
    public Task<ModelAnswer> DreamsAsync(ModelEntry entry, CancellationToken cancellationToken) =>
        answers.GetAsync(entry, "dreams", () => JsonSerializer.SerializeToUtf8Bytes(
            Core.Explanation.Dreams.All(entry.Model).Select((pixels, digit) => new DreamResponse(digit, pixels)).ToArray(), WebJson.Options), cancellationToken);

    private static double Elapsed(long started) => Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
}
