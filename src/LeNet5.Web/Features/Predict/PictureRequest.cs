using Serilog;

namespace LeNet5.Web.Features.Predict;

/// <summary>A request that sends one picture to a model, read as /api/predict reads it: the same admission, body budget and errors.</summary>
public readonly record struct PictureRequest(
    HttpRequest Request, ModelRegistry Registry, BodySlots Slots, PredictRequestReader Reader, IDiagnosticContext Log,
    [property: FromQuery(Name = "model")] string? Model, CancellationToken Cancellation)
{
    public async Task<(ModelEntry Entry, PredictInput Input)> ReadAsync()
    {
        var entry = Slots.Admit(Request, Registry, Model, Log);
        return (entry, await Reader.ReadSingleAsync(Request, Cancellation));
    }

    /// <summary>The same for a batch of pictures.</summary>
    public async Task<(ModelEntry Entry, IReadOnlyList<PredictInput> Inputs)> ReadBatchAsync()
    {
        var entry = Slots.Admit(Request, Registry, Model, Log);
        return (entry, await Reader.ReadBatchAsync(Request, Cancellation));
    }
}
