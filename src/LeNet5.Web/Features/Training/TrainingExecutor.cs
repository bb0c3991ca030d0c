using System.Security.Cryptography;
using LeNet5.Core.Layers;
using LeNet5.Web.Features.Corrections;

namespace LeNet5.Web.Features.Training;

/// <summary>
/// Trains one run this replica has claimed, on the calling thread: from the shared store's checkpoint
/// when it has one, recording each epoch with its checkpoint; then stores its model, loads it (not
/// activated) and records the results. A heartbeat renews the claim every second, reports progress
/// and hears cancels. Whatever happens the run ends in a recorded state, or goes back to the queue
/// when the replica shuts down, or is left to the replica that took it over when the claim was lost.
/// </summary>
public sealed class TrainingExecutor(
    RunStore store, TrainingRuns runs, RunCheckpoints checkpoints, ModelRegistry registry, MnistSource mnist, AcceptedCorrections drawings,
    ClusterSignals signals, IOptions<TrainingServiceOptions> options, IOptions<ReplicaOptions> replica, TimeProvider time, ILogger<TrainingExecutor> logger)
{
    /// <summary>How often the trainer renews its claim and reports its progress.</summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    private readonly TrainingServiceOptions _options = options.Value;
    private readonly string _trainer = replica.Value.EffectiveName;

    /// <summary>This replica's name as a run's trainer.</summary>
    public string Trainer => _trainer;

    public DateTimeOffset LeaseEnd() => time.GetUtcNow() + TimeSpan.FromSeconds(_options.LeaseSeconds);

    public void Train(long id, CancellationToken stopping)
    {
        var run = store.GetRun(id) ?? throw new InvalidOperationException($"run {id} vanished from the database");
        var live = new LiveRun(id, run.Epochs, TimeSpan.FromMilliseconds(_options.ProgressIntervalMilliseconds), _options.MaxLossPoints,
            runId => signals.Wake(ClusterSignals.Run(runId)));
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping, live.CancelToken, live.LostToken);
        using var heartbeatStop = new CancellationTokenSource();
        runs.Hold(live);
        var heartbeat = Task.Run(() => HeartbeatAsync(live, heartbeatStop.Token), CancellationToken.None);
        var status = RunStatus.Failed;
        string? error = null;
        try
        {
            if (run.CancelRequested) live.RequestCancel(); // asked before its last trainer died
            cancel.Token.ThrowIfCancellationRequested();
            var settings = run.Settings;
            var (architecture, trainingOptions, errors) = settings.Resolve(_options.EffectiveThreads); // complete settings: only the threads are this host's
            if (architecture is null || trainingOptions is null)
                throw new InvalidOperationException("stored settings are invalid: " + string.Join("; ", errors.Values));
            live.Start(run.CompletedEpochs, run.Epochs, run.LossCurveJson is { } json ? JsonSerializer.Deserialize<List<double[]>>(json) : null);
            logger.LogInformation("Training run {RunId} started on {Trainer}: {Architecture}, epochs {Completed} -> {Epochs}, {Threads} thread(s)",
                id, _trainer, architecture.ToString(), run.CompletedEpochs, run.Epochs, _options.EffectiveThreads);

            var data = mnist.Load();
            bool resuming = checkpoints.Restore(id);
            var checkpoint = checkpoints.PathOf(id);
            var inputs = FreezeCorrections(run);
            var samples = drawings.Samples(inputs.CorrectionIds!, inputs.CorrectionsWeight);
            string command = $"web: POST /api/training {JsonSerializer.Serialize(settings, WebJson.Options)}" +
                             (inputs.CorrectionsWeight is null && inputs.BaseModel is null ? "" : $" with {JsonSerializer.Serialize(inputs with { CorrectionIds = null }, WebJson.Options)}");
            logger.LogInformation("Training run {RunId}: {Train} correction(s) to train on (weight {Weight}), {Test} to test on, base model {BaseModel}",
                id, samples.Train?.Count ?? 0, inputs.CorrectionsWeight, samples.Test?.Count ?? 0, inputs.BaseModel ?? "none");
            // from its checkpoint when it has one (the base model is needed only without), for the epochs it is queued for
            using var trainer = CheckpointedTraining.Open(checkpoint, resume: resuming, architecture, trainingOptions with { Epochs = run.Epochs }, data,
                resuming ? null : StartingParameters(inputs), samples);
            trainer.BatchCompleted = live.OnBatch;
            CheckpointedTraining.Run(trainer, checkpoint, command, metrics => EpochCompleted(live, metrics, checkpoint), cancel.Token);
            if (!store.BeginPublishing(id, _trainer))
            {
                // a cancel came in after the last batch (it wins), or the claim was lost
                if (store.GetRun(id) is { CancelRequested: true, Trainer: var holder } && holder == _trainer) live.RequestCancel();
                else live.LoseLease();
                throw new OperationCanceledException();
            }
            live.MarkPublishing();
            Publish(run, architecture, trainer, data.Test, command);
            status = RunStatus.Completed;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested || live.CancelRequested || live.LeaseLost)
        {
            status = live.LeaseLost ? RunStatus.Running : live.CancelRequested ? RunStatus.Canceled : RunStatus.Queued;
        }
        catch (Exception ex)
        {
            error = ex is TrainingDivergedException ? "Training diverged: " + ex.Message : ex.Message;
            logger.LogError(ex, "Training run {RunId} failed", id);
        }
        finally
        {
            heartbeatStop.Cancel();
            heartbeat.Wait(TimeSpan.FromSeconds(10));
            End(live, status, error);
            runs.Release(live);
        }
    }

    /// <summary>
    /// The run is over here: recorded as failed or canceled, handed back to the queue (shutdown), or
    /// left alone (completed, which <see cref="Publish"/> recorded; or another replica holds it). Never throws.
    /// </summary>
    private void End(LiveRun live, RunStatus status, string? error)
    {
        long id = live.Id;
        try
        {
            switch (status)
            {
                case RunStatus.Queued:
                    if (store.HandBack(id, _trainer)) logger.LogInformation("Training run {RunId} handed back to the queue (this replica is stopping); it continues from its last checkpoint", id);
                    signals.Notify(ClusterSignals.Runs);
                    break;
                case RunStatus.Running:
                    logger.LogWarning("Training run {RunId}: another replica took it over (this one missed its heartbeats); this one stops", id);
                    break;
                case RunStatus.Completed:
                    logger.LogInformation("Training run {RunId} finished: {Status}", id, Tokens.Of(status));
                    break;
                default:
                    if (store.MarkFinished(id, _trainer, status, time.GetUtcNow(), error))
                        logger.LogInformation("Training run {RunId} finished: {Status}", id, Tokens.Of(status));
                    break;
            }
            checkpoints.DeleteScratch(id);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Training run {RunId}: could not record its end ({Status}); its claim runs out and another trainer takes it up", id, Tokens.Of(status));
        }
        signals.Notify(ClusterSignals.Run(id));
    }

    /// <summary>Every second: renew the claim and report progress; a lost claim or a cancel stops training.</summary>
    private async Task HeartbeatAsync(LiveRun live, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    var renewed = store.Renew(live.Id, _trainer, LeaseEnd(), JsonSerializer.Serialize(live.Snapshot(), WebJson.Options), live.LossCurveJson());
                    if (renewed is null) live.LoseLease();
                    else if (renewed == true) live.RequestCancel();
                    signals.Notify(ClusterSignals.Run(live.Id));
                }
                catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
                {
                    // the database is away: keep training; if it stays away past the lease, the first write after it returns finds the claim lost
                    logger.LogWarning("Training run {RunId}: heartbeat failed ({Reason})", live.Id, ex.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // training ended
        }
    }

    /// <summary>An epoch has ended and its checkpoint is written: both go to the shared store in one transaction, then to the run's watchers.</summary>
    private void EpochCompleted(LiveRun live, EpochMetrics metrics, string checkpoint)
    {
        live.OnEpoch(metrics);
        if (!store.RecordEpoch(live.Id, _trainer, LeaseEnd(), metrics, live.LossCurveJson(), File.ReadAllBytes(checkpoint)))
        {
            live.LoseLease();
            throw new OperationCanceledException();
        }
        signals.Notify(ClusterSignals.Run(live.Id));
    }

    /// <summary>The run's inputs, with the accepted drawings frozen (and recorded) the first time it starts.</summary>
    private RunInputs FreezeCorrections(RunRecord run)
    {
        var inputs = run.Inputs;
        if (inputs.CorrectionIds is not null) return inputs;
        inputs = inputs with { CorrectionIds = drawings.AcceptedIds() };
        store.SetInputs(run.Id, inputs);
        return inputs;
    }

    /// <summary>A copy of the base model's parameters to fine-tune, or null to initialise afresh.</summary>
    private float[]? StartingParameters(RunInputs inputs) => inputs.BaseModel is not { } id ? null
        : (float[])(registry.Get(id) ?? throw new InvalidOperationException($"the base model '{id}' is no longer loaded; start a new run from another model")).Model.Parameters.Clone();

    /// <summary>Stores the model, loads it into the registry, and records the run's results.</summary>
    private void Publish(RunRecord run, Architecture architecture, Trainer trainer, Core.Data.MnistSplit test, string command)
    {
        long id = run.Id;
        var evaluation = trainer.LastEvaluation ?? Evaluator.Evaluate(trainer.Network, trainer.Parameters, trainer.Options.Normalisation.Apply(test), trainer.Options.Threads);
        // the run's id and creation time: a database reset reuses ids, never both
        string origin = $"{id} {Database.Time(run.CreatedAt)}";
        string modelId = UniqueModelId($"run-{id}-{architecture.Name}", origin);
        string scratch = checkpoints.PathOf(id) + ".model";
        try
        {
            CheckpointedTraining.SaveModel(trainer, command, scratch, new Dictionary<string, string> { [RunKey] = origin });
            registry.SaveTrained(modelId, File.ReadAllBytes(scratch));
        }
        finally
        {
            File.Delete(scratch);
        }

        var confusion = new int[OutputHead.Classes][];
        for (int t = 0; t < OutputHead.Classes; t++)
            confusion[t] = [.. Enumerable.Range(0, OutputHead.Classes).Select(p => evaluation.Confusion[t, p])];
        var mistakes = Enumerable.Range(0, evaluation.Count)
            .Where(i => evaluation.Predictions[i] != evaluation.Labels[i])
            .Take(_options.MaxMistakes)
            .Select(i => new MistakeRecord(i, evaluation.Labels[i], evaluation.Predictions[i]))
            .ToList();
        if (!store.Complete(id, _trainer, LeaseEnd(), modelId, evaluation.Accuracy, confusion, mistakes, time.GetUtcNow()))
            logger.LogWarning("Training run {RunId}: its model {ModelId} is stored, but another replica holds the run now and records its end", id, modelId);
    }

    /// <summary>The metadata key that names the run a trained model came from (its id and creation time).</summary>
    public const string RunKey = "web_run";

    /// <summary>
    /// The id itself, or with a short random suffix when a model of that id exists (say the database
    /// was reset but an old model remains): a new run never replaces another's model. A model this same
    /// run stored before a crash kept it from recording the end is its own, and replaced.
    /// </summary>
    private string UniqueModelId(string baseId, string origin)
    {
        bool Mine(string id) => registry.Get(id) is { } entry && entry.Model.Metadata.GetValueOrDefault(RunKey) == origin;
        bool Taken(string id) => !Mine(id) && registry.IsStored(id);
        string id = baseId;
        while (Taken(id)) id = $"{baseId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        if (id != baseId) logger.LogWarning("A model {ModelId} already exists; the run's model is saved as {NewId} instead", baseId, id);
        return id;
    }
}
