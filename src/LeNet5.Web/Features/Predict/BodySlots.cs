namespace LeNet5.Web.Features.Predict;

/// <summary>
/// The memory that prediction requests' bodies may hold at once, bounded twice: at most
/// Limits:MaxConcurrentBodies requests reading or holding a body, and at most
/// Limits:BodyBudgetMegabytes of body bytes received among all of them. A request takes a slot before
/// it reads its body and charges the budget as its bytes arrive (a declared Content-Length is a
/// promise, not a charge), and gives both back when its answer is written. When either is spent the
/// request is refused at once with 503 and Retry-After, rather than queued or buffered. So slow
/// uploads that trickle a few bytes hold a slot each but almost none of the budget, and the requests
/// that do send their images still get through.
/// </summary>
public sealed class BodySlots(IOptions<LimitsOptions> limits) : IDisposable
{
    private readonly int _limit = limits.Value.MaxConcurrentBodies;
    private readonly long _budget = limits.Value.BodyBudgetMegabytes * 1024L * 1024;
    private readonly SemaphoreSlim _slots = new(limits.Value.MaxConcurrentBodies, limits.Value.MaxConcurrentBodies);
    private long _charged;

    /// <summary>The slots taken now: requests reading or holding a body.</summary>
    public int InUse => _limit - _slots.CurrentCount;

    /// <summary>The body bytes held now, of the budget.</summary>
    public long BytesHeld => Interlocked.Read(ref _charged);

    /// <summary>
    /// Takes a slot for this request until <paramref name="response"/> ends (or throws the 503 problem);
    /// the reader of its body charges the slot for every chunk (<see cref="Slot.Charge"/>).
    /// </summary>
    public Slot Take(HttpResponse response)
    {
        if (!_slots.Wait(0)) throw Problems.Busy("prediction requests", "Limits:MaxConcurrentBodies");
        var slot = new Slot(this);
        response.RegisterForDispose(slot);
        return slot;
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>One request's slot: the body bytes it holds, given back with the slot when its response ends.</summary>
    public sealed class Slot : IDisposable
    {
        private readonly BodySlots _owner;
        private long _bytes;
        private int _released;

        internal Slot(BodySlots owner) => _owner = owner;

        /// <summary>Charges <paramref name="bytes"/> more of this request's body to the budget, or throws the 503 problem.</summary>
        public void Charge(int bytes)
        {
            if (Interlocked.Add(ref _owner._charged, bytes) > _owner._budget)
            {
                Interlocked.Add(ref _owner._charged, -bytes);
                throw Problems.Busy("bytes of request bodies", "Limits:BodyBudgetMegabytes");
            }
            _bytes += bytes;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0) return;
            Interlocked.Add(ref _owner._charged, -_bytes);
            _owner._slots.Release();
        }
    }
}
