using Serilog;

namespace LeNet5.Web.Features.Predict;

/// <summary>
/// A request that sends pictures to a model, read as /api/predict reads it: the same admission, body
/// budget, errors and costs (a large picture costs <see cref="PredictEndpoints.LargePictureCost"/> permits).
/// </summary>
public readonly record struct PictureRequest(
    HttpRequest Request, ModelRegistry Registry, BodySlots Slots, PredictRequestReader Reader, ClientRateLimiter Limiter, HeavyWork Heavy,
    IDiagnosticContext Log, [property: FromQuery(Name = "model")] string? Model, CancellationToken Cancellation)
{
    public async Task<(ModelEntry Entry, PredictInput Input)> ReadAsync()
    {
        var entry = Slots.Admit(Request, Registry, Model, Log);
        var input = await Reader.ReadSingleAsync(Request, Cancellation);
        if (Reader.IsLarge(input))
        {
            Log.Set("LargePicture", true);
            Limiter.Raise(Request.HttpContext, PredictEndpoints.LargePictureCost);
        }
        return (entry, input);
    }

    /// <summary>The same for a batch of pictures (whose pixels Limits:MaxBatchPixels bounds, and whose endpoint's cost covers them).</summary>
    public async Task<(ModelEntry Entry, IReadOnlyList<PredictInput> Inputs)> ReadBatchAsync()
    {
        var entry = Slots.Admit(Request, Registry, Model, Log);
        return (entry, await Reader.ReadBatchAsync(Request, Cancellation));
    }

    /// <summary>
    /// A turn of the heavy-work cap for the work this request does with its pictures when it costs
    /// more than a plain prediction (its endpoint's cost, or a large picture's), held until disposed;
    /// null for a plain prediction, which never waits behind heavy work. Taken once the body is read,
    /// so that a slow upload holds no turn.
    /// </summary>
    public async Task<IDisposable?> HeavyTurnAsync() =>
        RequestCost.Of(Request.HttpContext) > RequestCost.Plain ? await Heavy.EnterAsync(Cancellation) : null;
}
