using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace LeNet5.Web.Features.Training;

/// <summary>The runs' event streams (server-sent events), and the slots that bound how many are open at once.</summary>
public sealed class RunEventStreams(RunViews views, IOptions<TrainingServiceOptions> options)
{
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
    /// The event stream of a run: for the run going (<paramref name="live"/>), a <c>state</c> event, then
    /// <c>progress</c> and <c>epoch</c> events as they happen, and a final <c>done</c>; for any other run just <c>done</c>.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> Events(long id, LiveRun? live, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (live?.Id != id)
        {
            if (views.Find(id, null, withLossCurve: true) is { } final) yield return LiveRun.Item(LiveRun.DoneEvent, final);
            yield break;
        }
        var watcher = live.Watch();
        try
        {
            if (views.Find(id, live, withLossCurve: true) is { } state) yield return LiveRun.Item(LiveRun.StateEvent, state);
            await foreach (var item in watcher.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            live.Unwatch(watcher);
        }
    }
}
