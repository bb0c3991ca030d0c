using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace LeNet5.Web.Features.Training;

/// <summary>Runs as the API shows them: the database's record, with the live progress of the run that is going.</summary>
public sealed class RunViews(RunStore store, IOptions<TrainingServiceOptions> options, ILogger<RunViews> logger)
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

    private sealed class StreamSlot(RunViews views) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) Interlocked.Decrement(ref views._openStreams);
        }
    }

    /// <summary>A run, with <paramref name="live"/>'s progress when it is the run going; null when there is no such run.</summary>
    public RunView? Find(long id, LiveRun? live, bool withLossCurve = false) =>
        store.GetRun(id) is { } run ? View(run, store.GetEpochs(id), live?.Id == id ? live : null, withLossCurve) : null;

    /// <summary>A page of runs, newest first: up to <paramref name="limit"/> runs older than run <paramref name="before"/>.</summary>
    public IReadOnlyList<RunView> List(LiveRun? live, int limit, long? before)
    {
        var runs = store.ListRuns(limit, before);
        if (runs.Count == 0) return [];
        var epochs = store.GetEpochs(runs[^1].Id, runs[0].Id);
        return [.. runs.Select(r => View(r, epochs.GetValueOrDefault(r.Id) ?? [], live?.Id == r.Id ? live : null, withLossCurve: false))];
    }

    /// <summary>The run's final view for its watchers, or null when it cannot be read (they are then just closed). Never throws.</summary>
    public RunView? Final(long id)
    {
        try
        {
            return Find(id, live: null, withLossCurve: true);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Training run {RunId}: could not read it for its watchers", id);
            return null;
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
            if (Find(id, null, withLossCurve: true) is { } final) yield return LiveRun.Item(LiveRun.DoneEvent, final);
            yield break;
        }
        var watcher = live.Watch();
        try
        {
            if (Find(id, live, withLossCurve: true) is { } state) yield return LiveRun.Item(LiveRun.StateEvent, state);
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

    private static RunInputsView InputsView(RunInputs inputs)
    {
        int? test = inputs.CorrectionIds?.Count(Corrections.CorrectionSplit.IsTest);
        int? train = inputs.CorrectionIds is null ? null : inputs.CorrectionsWeight is null ? 0 : inputs.CorrectionIds.Count - test;
        return new RunInputsView(inputs.CorrectionsWeight, inputs.BaseModel, train, test);
    }

    private static RunView View(RunRecord run, IReadOnlyList<EpochMetrics> history, LiveRun? live, bool withLossCurve)
    {
        bool running = live is not null && run.Status == RunStatus.Running;
        var last = history.Count > 0 ? history[^1] : null;
        double progress = run.Status == RunStatus.Completed ? 1
            : running ? live!.Progress
            : run.Epochs == 0 ? 0 : (double)run.CompletedEpochs / run.Epochs;
        IReadOnlyList<double[]>? curve = null;
        if (withLossCurve)
            curve = live is not null ? live.LossCurve() : run.LossCurveJson is { } json ? JsonSerializer.Deserialize<List<double[]>>(json) : [];
        return new RunView(run.Id, run.Status, run.Settings, run.CreatedAt, run.StartedAt, run.FinishedAt,
            running ? live!.Epoch : run.CompletedEpochs, run.Epochs, run.CompletedEpochs, progress,
            running ? live!.ImagesPerSecond : last?.ImagesPerSecond,
            running ? live!.EtaSeconds : null,
            running ? live!.Phase : null,
            history, running && live!.LearningRates is { } rates ? rates : last?.LearningRates,
            run.ModelId, run.TestAccuracy, run.Error)
        {
            LossCurve = curve,
            Inputs = InputsView(run.Inputs),
        };
    }
}
