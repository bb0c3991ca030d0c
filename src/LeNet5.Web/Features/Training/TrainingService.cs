using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using LeNet5.Core.Layers;
using LeNet5.Core.Networks;
using LeNet5.Core.Training;
using LeNet5.Web.Data;
using LeNet5.Web.Models;
using Microsoft.Extensions.Options;

namespace LeNet5.Web.Features.Training;

/// <summary>What became of a request to start, resume or cancel a run.</summary>
public enum RunCommandOutcome { Accepted, NotFound, Busy, WrongState, Invalid }

public readonly record struct RunCommandResult(RunCommandOutcome Outcome, long Id, string Status, string? Message = null);

/// <summary>
/// Owns training: a queue of one run at a time, trained on a dedicated thread with the configured
/// number of worker threads. After every epoch the run is checkpointed into the data folder and its
/// metrics recorded in SQLite; a finished run's model is written atomically into the models folder
/// and loaded (not activated). At start-up, runs a previous process left queued or running become
/// interrupted, and can be resumed from their last checkpoint.
/// </summary>
public sealed partial class TrainingService(
    TrainingStore store,
    ModelRegistry registry,
    MnistSource mnist,
    IOptions<TrainingServiceOptions> options,
    TimeProvider time,
    ILogger<TrainingService> logger) : BackgroundService
{
    private readonly Channel<LiveRun> _queue = Channel.CreateUnbounded<LiveRun>();
    private readonly Lock _lock = new();
    private readonly TrainingServiceOptions _options = options.Value;
    private LiveRun? _live; // the run queued or running; at most one

    public int Threads => _options.EffectiveThreads;

    public string CheckpointDirectory => Path.Combine(store.DirectoryPath, "checkpoints");

    public string CheckpointPath(long id) => Path.Combine(CheckpointDirectory, $"run-{id}.checkpoint.safetensors");

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        store.Migrate();
        int interrupted = store.MarkInterrupted();
        if (interrupted > 0) LogInterrupted(interrupted);
        if (store.GetActiveModel() is { } active)
        {
            // Models:Default only chooses until an admin activates a model; a stored id whose model is gone falls back to it
            if (registry.SetActive(active) is not null) LogRestoredActive(active);
            else
            {
                registry.SetActive(registry.DefaultId);
                LogStoredActiveMissing(active, registry.Active?.Id ?? "none");
            }
        }
        LogReady(store.DatabasePath, Threads, Environment.ProcessorCount);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>Queues a new run, unless one is queued or running.</summary>
    public RunCommandResult Enqueue(TrainingRequest settings, int epochs)
    {
        lock (_lock)
        {
            if (_live is { } busy) return Busy(busy);
            long id = store.CreateRun(JsonSerializer.Serialize(settings, LiveRun.Json), epochs, time.GetUtcNow());
            return Queue(id, epochs);
        }
    }

    /// <summary>Queues an interrupted, canceled or failed run again; it continues from its last checkpoint (or starts over without one).</summary>
    public RunCommandResult Resume(long id, int? epochs)
    {
        lock (_lock)
        {
            if (store.GetRun(id) is not { } run) return new(RunCommandOutcome.NotFound, id, "");
            if (_live is { } busy) return Busy(busy);
            if (!RunStatus.CanResume(run.Status))
                return new(RunCommandOutcome.WrongState, id, run.Status, $"Run {id} is {run.Status}; only interrupted, canceled or failed runs can be resumed.");
            int total = epochs ?? run.Epochs;
            // a run that crashed after its last checkpoint may resume with nothing left to train: it just publishes its model
            bool publishOnly = total == run.CompletedEpochs && run.CompletedEpochs > 0 && File.Exists(CheckpointPath(id));
            if ((total <= run.CompletedEpochs && !publishOnly) || total > 1000)
                return new(RunCommandOutcome.Invalid, id, run.Status, $"epochs must be more than the {run.CompletedEpochs} already trained (or equal to it, to publish a finished checkpoint), and at most 1000");
            store.MarkQueued(id, total);
            return Queue(id, total);
        }
    }

    /// <summary>
    /// Cancels a queued run at once, or asks a running one to stop after its current batch. Once its
    /// training is over and its model is being published, it is too late (WrongState).
    /// </summary>
    public RunCommandResult Cancel(long id)
    {
        LiveRun queued;
        lock (_lock)
        {
            if (store.GetRun(id) is not { } run) return new(RunCommandOutcome.NotFound, id, "");
            if (_live?.Id != id)
                return new(RunCommandOutcome.WrongState, id, run.Status, $"Run {id} is {run.Status}; only a queued or running run can be canceled.");
            if (_live.Publishing)
                return new(RunCommandOutcome.WrongState, id, RunStatus.Running, $"Run {id} has finished training and is publishing its model; it is too late to cancel it.");
            // the training thread checks this flag under the same lock before it starts, so a queued run never starts after this
            _live.RequestCancel();
            if (_live.Running)
                return new(RunCommandOutcome.Accepted, id, RunStatus.Running, "The run stops after its current batch.");
            store.MarkFinished(id, RunStatus.Canceled, time.GetUtcNow());
            queued = _live;
            _live = null;
        }
        queued.Finish(SafeView(id));
        return new(RunCommandOutcome.Accepted, id, RunStatus.Canceled);
    }

    /// <summary>A run with its live progress, or null.</summary>
    public RunView? View(long id, bool withLossCurve = false)
    {
        if (store.GetRun(id) is not { } run) return null;
        LiveRun? live;
        lock (_lock) live = _live?.Id == id ? _live : null;
        return View(run, store.GetEpochs(id), live, withLossCurve);
    }

    /// <summary>All runs, newest first.</summary>
    public IReadOnlyList<RunView> List()
    {
        LiveRun? live;
        lock (_lock) live = _live;
        return [.. store.ListRuns().Select(r => View(r, store.GetEpochs(r.Id), live?.Id == r.Id ? live : null, withLossCurve: false))];
    }

    /// <summary>
    /// The event stream of a run: for a queued or running run, a <c>state</c> event, then <c>progress</c>
    /// and <c>epoch</c> events as they happen, and a final <c>done</c>; for any other run just <c>done</c>.
    /// </summary>
    public async IAsyncEnumerable<SseItem<string>> Events(long id, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        LiveRun? live;
        lock (_lock) live = _live?.Id == id ? _live : null;
        if (live is null)
        {
            if (View(id, withLossCurve: true) is { } final) yield return LiveRun.Item(LiveRun.DoneEvent, final);
            yield break;
        }
        var watcher = live.Watch();
        try
        {
            if (View(id, withLossCurve: true) is { } state) yield return LiveRun.Item(LiveRun.StateEvent, state);
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var live in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                bool current;
                lock (_lock) current = _live == live;
                if (!current) continue; // canceled while queued
                try
                {
                    await Task.Factory.StartNew(() => Train(live, stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                }
                catch (Exception ex)
                {
                    // Train guards itself; this is the last line of defence: one run's failure must not stop the service (or the host)
                    LogLoopFailed(ex, live.Id);
                    Release(live, RunStatus.Failed, ex.Message);
                    live.Finish(SafeView(live.Id));
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down: a queued run stays queued in the database and shows as interrupted at the next start
        }
    }

    private RunCommandResult Queue(long id, int epochs)
    {
        var live = new LiveRun(id, epochs, TimeSpan.FromMilliseconds(_options.ProgressIntervalMilliseconds), _options.MaxLossPoints);
        _live = live;
        _queue.Writer.TryWrite(live);
        LogQueued(id);
        return new(RunCommandOutcome.Accepted, id, RunStatus.Queued);
    }

    private static RunCommandResult Busy(LiveRun busy) =>
        new(RunCommandOutcome.Busy, busy.Id, busy.Running ? RunStatus.Running : RunStatus.Queued,
            $"Run {busy.Id} is {(busy.Running ? "running" : "queued")}; one run at a time. Cancel it (POST /api/training/{busy.Id}/cancel) or wait for it to finish.");

    private void Train(LiveRun live, CancellationToken stopping)
    {
        long id = live.Id;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping, live.Token);
        string status = RunStatus.Failed;
        string? error = null;
        try
        {
            var run = store.GetRun(id) ?? throw new InvalidOperationException($"run {id} vanished from the database");
            var settings = JsonSerializer.Deserialize<TrainingRequest>(run.SettingsJson, LiveRun.Json)!;
            var (architecture, trainingOptions, errors) = settings.Resolve(Threads);
            if (architecture is null || trainingOptions is null)
                throw new InvalidOperationException("stored settings are invalid: " + string.Join("; ", errors.Select(e => e.Value[0])));

            var curve = run.LossCurveJson is { } json ? JsonSerializer.Deserialize<List<double[]>>(json) : null;
            lock (_lock)
            {
                // canceled (and already finished by Cancel) between the dequeue and now: never start it
                if (_live != live || live.CancelRequested)
                {
                    LogSkippedCanceled(id);
                    return;
                }
                store.MarkStarted(id, time.GetUtcNow());
                live.Start(run.CompletedEpochs, run.Epochs, curve); // Running from here on, under the same lock Cancel takes
            }
            LogStarted(id, architecture.ToString(), run.CompletedEpochs, run.Epochs, Threads);

            var data = mnist.Load();
            var checkpoint = CheckpointPath(id);
            string command = $"web: POST /api/training {JsonSerializer.Serialize(settings, LiveRun.Json)}";
            using var trainer = File.Exists(checkpoint)
                ? Trainer.Resume(checkpoint, data, run.Epochs, Threads)
                : new Trainer(architecture, trainingOptions with { Epochs = run.Epochs }, data);
            if (trainer.History.Count > 0) store.RecordEpochs(id, trainer.History, live.LossCurveJson());
            trainer.BatchCompleted = live.OnBatch;
            trainer.EpochCompleted = metrics =>
            {
                Directory.CreateDirectory(CheckpointDirectory);
                trainer.SaveCheckpoint(checkpoint, command);
                store.RecordEpochs(id, [metrics], live.LossCurveJson());
                live.OnEpoch(metrics);
            };
            trainer.Run(cancel.Token);
            lock (_lock)
            {
                // a cancel that came in after the last batch still wins; after this point Cancel answers 409
                cancel.Token.ThrowIfCancellationRequested();
                live.MarkPublishing();
            }
            Publish(id, architecture, trainer, data.Test, command);
            status = RunStatus.Completed;
            try
            {
                File.Delete(checkpoint);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogRecordFailed(ex, id, "checkpoint not deleted");
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            status = live.CancelRequested ? RunStatus.Canceled : RunStatus.Interrupted;
        }
        catch (Exception ex)
        {
            error = ex is TrainingDivergedException ? "Training diverged: " + ex.Message : ex.Message;
            LogFailed(ex, id);
        }
        finally
        {
            if (Release(live, status, error)) LogFinished(id, status);
            live.Finish(SafeView(id));
        }
    }

    /// <summary>
    /// Frees the slot if this run still holds it and records how the run ended (unless it completed, which
    /// <see cref="Publish"/> recorded). Never throws: a database failure is logged. False when the run no
    /// longer held the slot (a cancel while queued already finished it).
    /// </summary>
    private bool Release(LiveRun live, string status, string? error)
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
                LogRecordFailed(ex, live.Id, status);
            }
            return true;
        }
    }

    /// <summary>The run's final view for its watchers, or null when it cannot be read (they are then just closed).</summary>
    private RunView? SafeView(long id)
    {
        try
        {
            return View(id, withLossCurve: true);
        }
        catch (Exception ex)
        {
            LogRecordFailed(ex, id, "view");
            return null;
        }
    }

    /// <summary>Writes the model, loads it into the registry, and records the run's results.</summary>
    private void Publish(long id, Architecture architecture, Trainer trainer, Core.Data.MnistSplit test, string command)
    {
        var evaluation = trainer.LastEvaluation ?? Evaluator.Evaluate(trainer.Network, trainer.Parameters, test, Threads);
        var model = trainer.ToModel(command);
        Directory.CreateDirectory(registry.TrainedDirectoryPath);
        string modelId = UniqueModelId($"run-{id}-{architecture.Name}");
        string path = Path.Combine(registry.TrainedDirectoryPath, modelId + ModelRegistry.FileExtension);
        model.Save(path);
        registry.Load(path);

        var confusion = new int[OutputHead.Classes][];
        for (int t = 0; t < OutputHead.Classes; t++)
            confusion[t] = [.. Enumerable.Range(0, OutputHead.Classes).Select(p => evaluation.Confusion[t, p])];
        var mistakes = Enumerable.Range(0, evaluation.Count)
            .Where(i => evaluation.Predictions[i] != evaluation.Labels[i])
            .Take(_options.MaxMistakes)
            .Select(i => new MistakeRecord(i, evaluation.Labels[i], evaluation.Predictions[i]))
            .ToList();
        lock (_lock) store.Complete(id, modelId, evaluation.Accuracy, confusion, mistakes, time.GetUtcNow());
    }

    /// <summary>
    /// The id itself, or with a short random suffix when a model of that id is loaded or its file exists
    /// (say the data folder was reset but old model files remain): a new run never replaces a model.
    /// </summary>
    private string UniqueModelId(string baseId)
    {
        bool Taken(string id) => registry.Get(id) is not null || File.Exists(Path.Combine(registry.TrainedDirectoryPath, id + ModelRegistry.FileExtension));
        string id = baseId;
        while (Taken(id)) id = $"{baseId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
        if (id != baseId) LogModelIdTaken(baseId, id);
        return id;
    }

    private static RunView View(RunRecord run, IReadOnlyList<EpochMetrics> history, LiveRun? live, bool withLossCurve)
    {
        var settings = JsonSerializer.Deserialize<TrainingRequest>(run.SettingsJson, LiveRun.Json)!;
        bool running = live is not null && run.Status == RunStatus.Running;
        var last = history.Count > 0 ? history[^1] : null;
        double progress = run.Status == RunStatus.Completed ? 1
            : running ? live!.Progress
            : run.Epochs == 0 ? 0 : (double)run.CompletedEpochs / run.Epochs;
        IReadOnlyList<double[]>? curve = null;
        if (withLossCurve)
            curve = live is not null ? live.LossCurve() : run.LossCurveJson is { } json ? JsonSerializer.Deserialize<List<double[]>>(json) : [];
        return new RunView(run.Id, run.Status, settings, run.CreatedAt, run.StartedAt, run.FinishedAt,
            running ? live!.Epoch : run.CompletedEpochs, run.Epochs, run.CompletedEpochs, progress,
            running ? live!.ImagesPerSecond : last?.ImagesPerSecond,
            running ? live!.EtaSeconds : null,
            running ? live!.Phase : null,
            history, running && live!.LearningRates is { } rates ? rates : last?.LearningRates,
            run.ModelId, run.TestAccuracy, run.Error)
        {
            LossCurve = curve,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} training run(s) were left unfinished by the last process; they are now interrupted and can be resumed")]
    private partial void LogInterrupted(int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Active model {ModelId} restored from the database")]
    private partial void LogRestoredActive(string modelId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training database {Path}; runs train with {Threads} thread(s) of {Processors}")]
    private partial void LogReady(string path, int threads, int processors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training run {RunId} queued")]
    private partial void LogQueued(long runId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training run {RunId} started: {Architecture}, epochs {Completed} -> {Epochs}, {Threads} thread(s)")]
    private partial void LogStarted(long runId, string architecture, int completed, int epochs, int threads);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training run {RunId} finished: {Status}")]
    private partial void LogFinished(long runId, string status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Training run {RunId} failed")]
    private partial void LogFailed(Exception exception, long runId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stored active model {ModelId} no longer exists; {Fallback} answers (Models:Default, or the first model)")]
    private partial void LogStoredActiveMissing(string modelId, string fallback);

    [LoggerMessage(Level = LogLevel.Information, Message = "Training run {RunId} was canceled before it started")]
    private partial void LogSkippedCanceled(long runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Training run {RunId}: the training loop caught an unexpected failure; the run is marked failed")]
    private partial void LogLoopFailed(Exception exception, long runId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Training run {RunId}: could not record its end ({Status})")]
    private partial void LogRecordFailed(Exception exception, long runId, string status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A model {ModelId} already exists; the run's model is saved as {NewId} instead")]
    private partial void LogModelIdTaken(string modelId, string newId);
}
