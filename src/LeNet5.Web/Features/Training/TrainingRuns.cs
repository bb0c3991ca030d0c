using System.Threading.Channels;

namespace LeNet5.Web.Features.Training;

/// <summary>
/// The state machine of training: at most one run holds the trainer, from queued through running and
/// publishing to its end (completed, failed, canceled or interrupted). Every transition happens under
/// one lock, so a cancel and a start, or a cancel and the end of training, cannot cross. It writes every
/// transition, of the run's row in <see cref="RunStore"/> and of its <see cref="LiveRun"/>; the executor
/// and the background service ask it. A command it refuses throws the feature's problem (<see cref="TrainingProblems"/>).
/// </summary>
public sealed class TrainingRuns(
    RunStore store, RunViews views, RunCheckpoints checkpoints, IOptions<TrainingServiceOptions> options, TimeProvider time,
    ILogger<TrainingRuns> logger)
{
    private readonly Channel<LiveRun> _pending = Channel.CreateUnbounded<LiveRun>();
    private readonly Lock _lock = new();
    private readonly TrainingServiceOptions _options = options.Value;
    private LiveRun? _live; // the run queued or running; at most one

    /// <summary>The runs to train, in the order they were queued.</summary>
    public ChannelReader<LiveRun> Pending => _pending.Reader;

    /// <summary>The run queued or running, if any.</summary>
    public LiveRun? Current
    {
        get { lock (_lock) return _live; }
    }

    /// <summary>The run of this id while it is queued or running; else null.</summary>
    public LiveRun? Live(long id) => Current is { } live && live.Id == id ? live : null;

    /// <summary>Runs a previous process left queued or running become interrupted (they can be resumed); returns how many.</summary>
    public int InterruptLeftovers() => store.MarkInterrupted();

    /// <summary>Queues a new run (<see cref="TrainingRequest.Plan"/> checked it), unless a run is going.</summary>
    public RunAccepted Start(RunPlan plan)
    {
        lock (_lock)
        {
            if (_live is { } busy) throw Busy(busy);
            long id = store.CreateRun(JsonSerializer.Serialize(plan.Settings, WebJson.Options), plan.Options.Epochs, time.GetUtcNow(),
                plan.Inputs == RunInputs.None ? null : JsonSerializer.Serialize(plan.Inputs, WebJson.Options));
            return Queue(id, plan.Options.Epochs);
        }
    }

    /// <summary>Queues an interrupted, canceled or failed run again; it continues from its last checkpoint (or starts over without one).</summary>
    public RunAccepted Resume(long id, int? epochs)
    {
        lock (_lock)
        {
            if (store.GetRun(id) is not { } run) throw TrainingProblems.UnknownRun(id);
            if (_live is { } busy) throw Busy(busy);
            if (!RunStates.CanResume(run.Status))
                throw TrainingProblems.NotResumable(id, run.Status);
            int total = epochs ?? run.Epochs;
            // a run that crashed after its last checkpoint may resume with nothing left to train: it just publishes its model
            bool publishOnly = total == run.CompletedEpochs && run.CompletedEpochs > 0 && checkpoints.Exists(id);
            if ((total <= run.CompletedEpochs && !publishOnly) || total > TrainingLimits.MaxEpochs)
                throw TrainingProblems.InvalidSettings(new Dictionary<string, string>
                {
                    ["epochs"] = $"epochs must be more than the {run.CompletedEpochs} already trained (or equal to it, to publish a finished checkpoint), and at most {TrainingLimits.MaxEpochs}",
                });
            store.MarkQueued(id, total);
            return Queue(id, total);
        }
    }

    /// <summary>
    /// Cancels a queued run at once, or asks a running one to stop after its current batch. Once its
    /// training is over and its model is being published, it is too late (a conflict).
    /// </summary>
    public RunAccepted Cancel(long id)
    {
        LiveRun queued;
        lock (_lock)
        {
            if (store.GetRun(id) is not { } run) throw TrainingProblems.UnknownRun(id);
            if (_live?.Id != id)
                throw TrainingProblems.NotCancelable(id, run.Status);
            if (_live.Publishing)
                throw TrainingProblems.Publishing(id);
            // the training thread checks this flag under the same lock before it starts, so a queued run never starts after this
            _live.RequestCancel();
            if (_live.Running) return new(id, RunStatus.Running); // it stops after its current batch
            store.MarkFinished(id, RunStatus.Canceled, time.GetUtcNow());
            queued = _live;
            _live = null;
        }
        Finish(queued);
        return new(id, RunStatus.Canceled);
    }

    /// <summary>
    /// The training thread is about to start <paramref name="live"/>: false when it was canceled (and
    /// already finished by <see cref="Cancel"/>) between the dequeue and now; else it is marked running.
    /// </summary>
    public bool TryStart(LiveRun live, RunRecord run)
    {
        var lossCurve = run.LossCurveJson is { } json ? JsonSerializer.Deserialize<List<double[]>>(json) : null;
        lock (_lock)
        {
            if (_live != live || live.CancelRequested) return false;
            store.MarkStarted(live.Id, time.GetUtcNow());
            live.Start(run.CompletedEpochs, run.Epochs, lossCurve); // Running from here on, under the same lock Cancel takes
            return true;
        }
    }

    /// <summary>Records the run's inputs (the drawings it froze when it first started).</summary>
    public void RecordInputs(long id, RunInputs inputs) => store.SetInputs(id, inputs);

    /// <summary>Records epochs the run has trained (a resumed checkpoint's) and the loss curve so far.</summary>
    public void RecordEpochs(LiveRun live, IEnumerable<EpochMetrics> epochs) => store.RecordEpochs(live.Id, epochs, live.LossCurveJson());

    /// <summary>An epoch has ended (and been checkpointed): it is recorded, then sent to the run's watchers.</summary>
    public void EpochCompleted(LiveRun live, EpochMetrics metrics)
    {
        RecordEpochs(live, [metrics]);
        live.OnEpoch(metrics);
    }

    /// <summary>Training is over: a cancel that came in after the last batch still wins (this throws); after this, Cancel answers too late.</summary>
    public void BeginPublishing(LiveRun live, CancellationToken cancellation)
    {
        lock (_lock)
        {
            cancellation.ThrowIfCancellationRequested();
            live.MarkPublishing();
        }
    }

    /// <summary>Records a completed run's results (under the lock, so no cancel or resume sees it half done).</summary>
    public void Complete(long id, string modelId, double accuracy, int[][] confusion, IReadOnlyList<MistakeRecord> mistakes)
    {
        lock (_lock) store.Complete(id, modelId, accuracy, confusion, mistakes, time.GetUtcNow());
    }

    /// <summary>
    /// The run has ended: frees the slot if this run still holds it and records how the run ended (unless
    /// it completed, which <see cref="Complete"/> recorded), then sends its watchers the final event. Never
    /// throws: a database failure is logged. A run canceled while queued was already ended by <see cref="Cancel"/>.
    /// </summary>
    public void End(LiveRun live, RunStatus status, string? error)
    {
        if (Release(live, status, error)) logger.LogInformation("Training run {RunId} finished: {Status}", live.Id, Tokens.Of(status));
        Finish(live);
    }

    private bool Release(LiveRun live, RunStatus status, string? error)
    {
        lock (_lock)
        {
            if (_live != live) return false;
            _live = null;
            if (status == RunStatus.Completed) return true;
            try
            {
                store.MarkFinished(live.Id, status, time.GetUtcNow(), error);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Training run {RunId}: could not record its end ({Status})", live.Id, Tokens.Of(status));
            }
            return true;
        }
    }

    /// <summary>The one place a live run finishes: its watchers get its final view (idempotent).</summary>
    private void Finish(LiveRun live) => live.Finish(views.Final(live.Id));

    private RunAccepted Queue(long id, int epochs)
    {
        var live = new LiveRun(id, epochs, TimeSpan.FromMilliseconds(_options.ProgressIntervalMilliseconds), _options.MaxLossPoints);
        _live = live;
        _pending.Writer.TryWrite(live);
        logger.LogInformation("Training run {RunId} queued", id);
        return new(id, RunStatus.Queued);
    }

    private static ApiProblem Busy(LiveRun busy) => TrainingProblems.Busy(busy.Id, busy.Running);
}
