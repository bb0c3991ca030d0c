namespace LeNet5.Web.Features.Predict;

/// <summary>
/// The prediction requests that may hold a body in memory at once (Limits:MaxConcurrentBodies). A
/// request takes a slot before it reads its body and gives it back when its answer is written; when
/// none is free it is refused at once with 503 and Retry-After, rather than queued or buffered.
/// </summary>
public sealed class BodySlots(IOptions<LimitsOptions> limits) : IDisposable
{
    private readonly int _limit = limits.Value.MaxConcurrentBodies;
    private readonly SemaphoreSlim _slots = new(limits.Value.MaxConcurrentBodies, limits.Value.MaxConcurrentBodies);

    /// <summary>The slots taken now: requests reading or holding a body.</summary>
    public int InUse => _limit - _slots.CurrentCount;

    /// <summary>Takes a slot for this request until its response ends, or throws the 503 problem.</summary>
    public void Take(HttpContext http)
    {
        if (!_slots.Wait(0)) throw Problems.Busy("prediction requests", "Limits:MaxConcurrentBodies");
        http.Response.RegisterForDispose(new Slot(_slots));
    }

    /// <summary>
    /// The start of every request that reads an input: the model it names (or the active one, noted in
    /// the request log), and a body slot held until the answer is written.
    /// </summary>
    public ModelEntry Admit(HttpRequest request, ModelRegistry registry, string? model, Serilog.IDiagnosticContext log)
    {
        var entry = registry.Resolve(model);
        log.Set("Model", entry.Id);
        Take(request.HttpContext);
        return entry;
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) slots.Release();
        }
    }
}
