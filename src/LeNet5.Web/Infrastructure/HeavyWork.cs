using System.Threading.RateLimiting;

namespace LeNet5.Web.Infrastructure;

/// <summary>
/// The turns of heavy work (see <see cref="HeavyWorkOptions"/>): at most HeavyWork:MaxConcurrent
/// requests compute heavy work at once, so that a crowd of explanations, nudges, dreams or large
/// images keeps at most that many cores busy and a plain prediction, which never takes a turn,
/// does not queue behind them. Beyond the cap a request waits, oldest first, in a bounded queue
/// (HeavyWork:QueueLimit) for at most HeavyWork:QueueSeconds; past either it is answered 503 with
/// Retry-After. A client that goes while it waits leaves the queue. The work itself runs on
/// <see cref="LowPriorityScheduler"/>'s threads, at HeavyWork:Nice, so that even the cores it holds
/// go to plain predictions first.
/// </summary>
public sealed class HeavyWork : IDisposable
{
    private readonly ConcurrencyLimiter _turns;
    private readonly TimeSpan _wait;
    private readonly LowPriorityScheduler _scheduler;

    public HeavyWork(IOptions<HeavyWorkOptions> options)
    {
        var o = options.Value;
        MaxConcurrent = o.ResolveMaxConcurrent();
        _wait = TimeSpan.FromSeconds(o.QueueSeconds);
        _turns = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = MaxConcurrent,
            QueueLimit = o.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _scheduler = new LowPriorityScheduler(MaxConcurrent, o.Nice);
    }

    /// <summary>How many requests may compute heavy work at once (HeavyWork:MaxConcurrent, resolved).</summary>
    public int MaxConcurrent { get; }

    /// <summary>Requests waiting for a turn now.</summary>
    public long Waiting => _turns.GetStatistics()?.CurrentQueuedCount ?? 0;

    /// <summary>A turn, held until disposed; throws the 503 problem when the queue is full or the wait too long.</summary>
    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_wait);
        RateLimitLease turn;
        try
        {
            turn = await _turns.AcquireAsync(1, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw Busy();
        }
        if (turn.IsAcquired) return turn;
        turn.Dispose();
        throw Busy();
    }

    /// <summary>Runs <paramref name="work"/> in a turn of its own, at the lower priority.</summary>
    public async Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        using var turn = await EnterAsync(cancellationToken);
        return await Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.None, _scheduler);
    }

    /// <summary>
    /// Runs <paramref name="work"/> at the lower priority, in the turn its caller holds: its awaits resume on the
    /// same low-priority threads, so all of its CPU time yields to plain predictions.
    /// </summary>
    public Task<T> RunInTurnAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.None, _scheduler).Unwrap();

    private static ApiProblem Busy() =>
        Problems.Busy("heavy requests (explanations, nudges, dreams, downloads, batches, large images)", "HeavyWork:MaxConcurrent");

    public void Dispose()
    {
        _turns.Dispose();
        _scheduler.Dispose();
    }
}

/// <summary>The heavy-work cap: see <see cref="HeavyWork"/>.</summary>
public static class HeavyWorkRegistration
{
    public static IServiceCollection AddHeavyWork(this IServiceCollection services) => services
        .AddSettings<HeavyWorkOptions>(HeavyWorkOptions.Section)
        .AddSingleton<HeavyWork>();
}
