using System.Diagnostics;
using LeNet5.Core.Preparation;
using LeNet5.Web.Features.Atlas;

namespace LeNet5.Web.Features.Predict;

/// <summary>
/// Answers one input with the engine's <see cref="DigitRecognizer"/>, decoding at most
/// <see cref="LimitsOptions.MaxConcurrentDecodes"/> images at once so that memory stays bounded
/// under load, and shapes the answer.
/// </summary>
public sealed class PredictionService(DigitRecognizer recognizer, PredictMetrics metrics, AtlasService atlases, IOptions<LimitsOptions> limits) : IDisposable
{
    private readonly SemaphoreSlim _decodes = new(limits.Value.MaxConcurrentDecodes);

    /// <summary>Predicts one input; <paramref name="where"/> names it in error titles (a batch item).</summary>
    public async Task<PredictResponse> PredictAsync(ModelEntry entry, PredictInput input, bool details, CancellationToken cancellationToken, string? where = null)
    {
        long started = Stopwatch.GetTimestamp();
        var answer = await RecognizeAsync(entry, input, details, cancellationToken, where);
        var prediction = answer.Prediction;
        var elapsed = Stopwatch.GetElapsedTime(started);
        metrics.Answered(entry.Id, prediction.Digit, answer.Rejected, input is EncodedImageInput, elapsed.TotalSeconds);
        double elapsedMs = Math.Round(elapsed.TotalMilliseconds, 3);
        var response = new PredictResponse(prediction.Digit, prediction.Confidence, prediction.Probabilities, answer.Rejected, entry.Id, elapsedMs);
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
    public async Task<RecognitionResult> RecognizeAsync(ModelEntry entry, PredictInput input, bool details, CancellationToken cancellationToken, string? where = null)
    {
        try
        {
            return input switch
            {
                EncodedImageInput image => await DecodeAsync(() => recognizer.Recognize(entry.Model, image.Bytes, details), cancellationToken),
                PixelsInput raw => recognizer.Recognize(entry.Model, raw.Pixels, details),
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
