using System.Diagnostics;
using LeNet5.Core.Preparation;
using LeNet5.Web.Features.Atlas;

namespace LeNet5.Web.Features.Predict;

/// <summary>
/// Answers one input with the engine's <see cref="DigitRecognizer"/>, decoding at most
/// <see cref="LimitsOptions.MaxConcurrentDecodes"/> images at once so that memory stays bounded
/// under load, and shapes the answer.
/// </summary>
public sealed class PredictionService(DigitRecognizer recognizer, ModelCommittee committee, PredictMetrics metrics, AtlasService atlases, IOptions<LimitsOptions> limits) : IDisposable
{
    private readonly SemaphoreSlim _decodes = new(limits.Value.MaxConcurrentDecodes);

    /// <summary>Predicts one input; <paramref name="where"/> names it in error titles (a batch item).</summary>
    public async Task<PredictResponse> PredictAsync(ModelEntry entry, PredictInput input, bool details, CancellationToken cancellationToken, string? where = null)
    {
        long started = Stopwatch.GetTimestamp();
        var voters = committee.For(entry);
        var answer = await RecognizeAsync(entry, voters, input, details, cancellationToken, where);
        var prediction = answer.Prediction;
        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.Answered(entry.Id, prediction.Digit, answer.Rejected, input is EncodedImageInput, elapsed.TotalSeconds);
        double elapsedMs = Math.Round(elapsed.TotalMilliseconds, 3);
        var response = new PredictResponse(prediction.Digit, prediction.Confidence, prediction.Probabilities, answer.Rejected, entry.Id, elapsedMs)
        {
            Committee = answer.Votes is { } votes ? [.. voters!.Zip(votes, (member, vote) => new CommitteeVote(member.Id, vote.Digit, vote.Confidence))] : null,
        };
        if (!details) return response;
        return response with
        {
            Input = answer.Pixels,
            Layers = [.. prediction.Layers!.Select(l => new LayerResponse(l.Name, l.Kind, l.Shape, Round(l.Values)))],
            Distances = prediction.ScoresAreDistances ? prediction.Scores : null,
            Atlas = atlases.TryPlace(entry, prediction.Layers![^1].Values), // the last layer's outputs are the head's inputs
        };
    }

    /// <summary>
    /// The recognizer's answer for one input (its <see cref="RecognitionResult.Pixels"/> are the prepared 28x28),
    /// with the decode limit and the problems of an image that cannot be prepared: what every face over an input shares.
    /// </summary>
    public Task<RecognitionResult> RecognizeAsync(ModelEntry entry, PredictInput input, bool details, CancellationToken cancellationToken, string? where = null) =>
        RecognizeAsync(entry, committee.For(entry), input, details, cancellationToken, where);

    /// <summary>The same, answered by <paramref name="voters"/> (the committee's lead and members) or, when null, by the model alone.</summary>
    private async Task<RecognitionResult> RecognizeAsync(ModelEntry entry, IReadOnlyList<ModelEntry>? voters, PredictInput input, bool details, CancellationToken cancellationToken, string? where)
    {
        try
        {
            var members = voters?.Select(m => m.Model).ToArray();
            return input switch
            {
                EncodedImageInput image => await DecodeAsync(
                    () => members is null ? recognizer.Recognize(entry.Model, image.Bytes, details) : recognizer.Recognize(members, image.Bytes, details), cancellationToken),
                PixelsInput raw => members is null ? recognizer.Recognize(entry.Model, raw.Pixels, details) : recognizer.Recognize(members, raw.Pixels, details),
                _ => throw new ArgumentOutOfRangeException(nameof(input)),
            };
        }
        catch (DigitPreparationException ex)
        {
            metrics.Refused(ex.Failure);
            throw ImageProblems.From(ex, where);
        }
    }

    private async Task<RecognitionResult> DecodeAsync(Func<RecognitionResult> recognize, CancellationToken cancellationToken)
    {
        await _decodes.WaitAsync(cancellationToken);
        try
        {
            return recognize();
        }
        finally
        {
            _decodes.Release();
        }
    }

    // four decimals are plenty to draw a feature map, and keep the details answer small
    private static float[] Round(float[] values) => Array.ConvertAll(values, v => MathF.Round(v, 4));

    public void Dispose() => _decodes.Dispose();
}
