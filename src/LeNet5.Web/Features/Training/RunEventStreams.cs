using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace LeNet5.Web.Features.Training;

/// <summary>
/// The runs' event streams (server-sent events), from whichever replica the browser reaches, and the
/// slots that bound how many are open at once. A stream follows the run's row: it wakes when the run
/// changes (a signal from the trainer, wherever it is) or every second, and sends what is new. Epoch
/// events carry the epoch as their id, so a browser that reconnects to any replica with
/// <c>Last-Event-ID</c> gets exactly the epochs it missed, none twice.
/// </summary>
public sealed class RunEventStreams(RunStore store, RunViews views, ClusterSignals signals, IOptions<TrainingServiceOptions> options, IHostApplicationLifetime lifetime)
{
    public const string StateEvent = "state", ProgressEventName = "progress", EpochEventName = "epoch", DoneEvent = "done";

    /// <summary>How often a stream looks at its run without being signalled.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    private int _openStreams;

    /// <summary>Event streams open at once at most (Training:MaxEventStreams).</summary>
    public int MaxStreams => options.Value.MaxEventStreams;

    /// <summary>A slot for one more event stream, released when disposed; null when all are taken.</summary>
    public IDisposable? TryOpenStream()
    {
        if (Interlocked.Increment(ref _openStreams) <= MaxStreams) return new StreamSlot(this);
        Interlocked.Decrement(ref _openStreams);
        return null;
    }

    private sealed class StreamSlot(RunEventStreams streams) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) Interlocked.Decrement(ref streams._openStreams);
        }
    }

    /// <summary>
    /// The event stream of a run: a <c>state</c> event (unless the client says which epoch it saw last),
    /// then <c>progress</c> and <c>epoch</c> events as they happen, and a final <c>done</c> when the run
    /// has ended (for a run that has ended already, just <c>done</c>). It also ends when the replica
    /// shuts down: the browser reconnects, to another.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> Events(long id, int? lastEpochSeen, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
        int sent = lastEpochSeen ?? -1;
        ProgressEvent? lastProgress = null;
        while (!stop.IsCancellationRequested)
        {
            var changed = signals.Next(ClusterSignals.Run(id)); // before reading, so no change slips between
            if (store.GetRun(id) is not { } run) yield break;
            if (sent < 0 && IsOver(run.Status))
            {
                // a run that has ended: its final state is all there is to say
                if (views.Final(id) is { } ended) yield return Item(DoneEvent, ended);
                yield break;
            }
            if (sent < 0)
            {
                var state = views.Find(id, withLossCurve: true)!;
                sent = state.History.Count > 0 ? state.History[^1].Epoch : 0;
                yield return Item(StateEvent, state, sent);
            }
            var progress = views.ProgressOf(run);
            if (run.CompletedEpochs > sent || IsOver(run.Status))
            {
                foreach (var epoch in store.GetEpochs(id).Where(e => e.Epoch > sent))
                {
                    yield return Item(EpochEventName, new EpochEvent(id, epoch, progress?.Progress ?? (double)epoch.Epoch / run.Epochs, progress?.EtaSeconds), epoch.Epoch);
                    sent = epoch.Epoch;
                }
            }
            if (IsOver(run.Status))
            {
                if (views.Final(id) is { } final) yield return Item(DoneEvent, final);
                yield break;
            }
            if (progress?.Last is { } latest && latest != lastProgress)
            {
                lastProgress = latest;
                yield return Item(ProgressEventName, latest);
            }
            bool stopped = false;
            try
            {
                await signals.WaitAsync(changed, Poll, stop.Token);
            }
            catch (OperationCanceledException)
            {
                stopped = true;
            }
            if (stopped) yield break;
        }
    }

    /// <summary>A run that has ended: a queued or running one has not (a run handed back between trainers is queued again).</summary>
    private static bool IsOver(RunStatus status) => !RunStates.Active.Contains(status);

    public static SseItem<string> Item<T>(string eventType, T data, int? epochId = null) =>
        new(JsonSerializer.Serialize(data, WebJson.Options), eventType) { EventId = epochId?.ToString(CultureInfo.InvariantCulture) };
}
