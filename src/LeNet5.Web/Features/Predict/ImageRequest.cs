using Serilog;

namespace LeNet5.Web.Features.Predict;

/// <summary>
/// A request that sends images to a model, read as /api/predict reads it: the same admission
/// (<see cref="ImageAdmission"/>), body budget, errors and costs (a large image costs
/// <see cref="PredictEndpoints.LargeImageCost"/> permits).
/// </summary>
public readonly record struct ImageRequest(
    HttpRequest Request, ImageAdmission Admission, PredictRequestReader Reader, ClientRateLimiter Limiter, HeavyWork Heavy,
    IDiagnosticContext Log, [property: FromQuery(Name = "model")] string? Model, CancellationToken Cancellation)
{
    public async Task<(ModelEntry Entry, PredictInput Input)> ReadAsync()
    {
        var entry = Admission.Model(Model);
        var input = await Reader.ReadSingleAsync(Request, Admission.Slot(Request.HttpContext), Cancellation);
        if (Reader.IsLarge(input))
        {
            Log.Set("LargeImage", true);
            Limiter.Raise(Request.HttpContext, PredictEndpoints.LargeImageCost);
        }
        return (entry, input);
    }

    /// <summary>The same for a batch of images (whose pixels Limits:MaxBatchPixels bounds, and whose endpoint's cost covers them).</summary>
    public async Task<(ModelEntry Entry, IReadOnlyList<PredictInput> Inputs)> ReadBatchAsync()
    {
        var entry = Admission.Model(Model);
        return (entry, await Reader.ReadBatchAsync(Request, Admission.Slot(Request.HttpContext), Cancellation));
    }

    /// <summary>
    /// Does the work this request does with its images. When it costs more than a plain prediction (its
    /// endpoint's cost, or a large image's), it waits for a turn of the heavy-work cap and computes at the
    /// heavy work's lower priority; a plain prediction never waits behind heavy work. The turn is taken once
    /// the body is read, so that a slow upload holds none.
    /// </summary>
    public async Task<T> ComputeAsync<T>(Func<Task<T>> work)
    {
        if (RequestCost.Of(Request.HttpContext) <= RequestCost.Plain) return await work();
        using var turn = await Heavy.EnterAsync(Cancellation);
        return await Heavy.RunInTurnAsync(work, Cancellation);
    }
}
