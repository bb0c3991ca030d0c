using System.Diagnostics;
using LeNet5.Core.Data;
using LeNet5.Core.Preparation;
using LeNet5.Imaging;
using LeNet5.Web.Infrastructure;
using LeNet5.Web.Models;
using LeNet5.Web.Options;
using Microsoft.Extensions.Options;

namespace LeNet5.Web.Features.Predict;

/// <summary>
/// Prepares an image (decoding at most <see cref="LimitsOptions.MaxConcurrentDecodes"/> at once, so
/// memory stays bounded under load), runs the network and decides <c>rejected</c>.
/// </summary>
public sealed class PredictionService : IDisposable
{
    private readonly DigitImagePreparer _preparer;
    private readonly IOptionsMonitor<PredictionOptions> _options;
    private readonly SemaphoreSlim _decodes;

    public PredictionService(DigitImagePreparer preparer, IOptions<LimitsOptions> limits, IOptionsMonitor<PredictionOptions> options)
    {
        _preparer = preparer;
        _options = options;
        _decodes = new SemaphoreSlim(limits.Value.MaxConcurrentDecodes);
    }

    /// <summary>Predicts one input; <paramref name="where"/> names it in error titles (a batch item).</summary>
    public async Task<PredictResponse> PredictAsync(ModelEntry entry, PredictInput input, bool details, CancellationToken cancellationToken, string? where = null)
    {
        long started = Stopwatch.GetTimestamp();
        float[] pixels = input switch
        {
            EncodedImageInput image => await PrepareAsync(image.Bytes, where, cancellationToken),
            PixelsInput raw => CheckInk(raw.Pixels, where),
            _ => throw new ArgumentOutOfRangeException(nameof(input)),
        };
        var encoded = new float[InputEncoding.Size];
        InputEncoding.Encode(pixels, encoded);
        var model = entry.Model;
        var prediction = model.Predict(encoded, details);
        bool rejected = RejectPolicy.IsRejected(prediction, pixels, model, _options.CurrentValue);
        double elapsedMs = Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 3);
        var response = new PredictResponse(prediction.Digit, prediction.Confidence, prediction.Probabilities, rejected, entry.Id, elapsedMs);
        if (!details) return response;
        return response with
        {
            Input = pixels,
            Layers = [.. prediction.Layers!.Select(l => new LayerResponse(l.Name, l.Kind, l.Shape, Round(l.Values)))],
            Distances = prediction.ScoresAreDistances ? prediction.Scores : null,
        };
    }

    private async Task<float[]> PrepareAsync(byte[] bytes, string? where, CancellationToken cancellationToken)
    {
        await _decodes.WaitAsync(cancellationToken);
        try
        {
            var prepared = _preparer.Prepare(bytes);
            return Array.ConvertAll(prepared.Pixels, b => (float)b);
        }
        catch (ImagePreparationException ex)
        {
            throw Problems.From(ex, where);
        }
        finally
        {
            _decodes.Release();
        }
    }

    /// <summary>Pixels sent as numbers are used as they are, but a blank grid is refused like a blank image.</summary>
    private static float[] CheckInk(float[] pixels, string? where)
    {
        float max = 0;
        foreach (var v in pixels) max = Math.Max(max, v);
        return max >= InkMap.MinContrast
            ? pixels
            : throw Problems.From(new ImagePreparationException(PreparationFailure.Blank, "The pixels are blank: no value reaches 32 of 255, so there is no ink to read a digit from."), where);
    }

    // four decimals are plenty to draw a feature map, and keep the details answer small
    private static float[] Round(float[] values) => Array.ConvertAll(values, v => MathF.Round(v, 4));

    public void Dispose() => _decodes.Dispose();
}
