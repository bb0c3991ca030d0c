using System.Security.Cryptography;
using LeNet5.Core.Layers;
using LeNet5.Web.Features.Corrections;

namespace LeNet5.Web.Features.Training;

/// <summary>
/// Trains one run on the calling thread: from its checkpoint when it has one, checkpointing and
/// recording every epoch; then writes its model atomically into the trained-models folder, loads it
/// (not activated) and records the results. Whatever happens, the run ends in a recorded state.
/// </summary>
public sealed class TrainingExecutor(
    RunStore store, TrainingRuns runs, RunCheckpoints checkpoints, ModelRegistry registry, MnistSource mnist, AcceptedCorrections drawings,
    IOptions<TrainingServiceOptions> options, ILogger<TrainingExecutor> logger)
{
    private readonly TrainingServiceOptions _options = options.Value;

    public void Train(LiveRun live, CancellationToken stopping)
    {
        long id = live.Id;
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping, live.Token);
        var status = RunStatus.Failed;
        string? error = null;
        try
        {
            var run = store.GetRun(id) ?? throw new InvalidOperationException($"run {id} vanished from the database");
            var settings = run.Settings;
            var (architecture, trainingOptions, errors) = settings.Resolve(_options.EffectiveThreads); // complete settings: only the threads are this host's
            if (architecture is null || trainingOptions is null)
                throw new InvalidOperationException("stored settings are invalid: " + string.Join("; ", errors.Values));
            if (!runs.TryStart(live, run))
            {
                logger.LogInformation("Training run {RunId} was canceled before it started", id);
                return;
            }
            logger.LogInformation("Training run {RunId} started: {Architecture}, epochs {Completed} -> {Epochs}, {Threads} thread(s)", id, architecture.ToString(), run.CompletedEpochs, run.Epochs, _options.EffectiveThreads);

            var data = mnist.Load();
            var checkpoint = checkpoints.PathOf(id);
            var inputs = FreezeCorrections(run);
            var samples = drawings.Samples(inputs.CorrectionIds!, inputs.CorrectionsWeight);
            string command = $"web: POST /api/training {JsonSerializer.Serialize(settings, WebJson.Options)}" +
                             (inputs.CorrectionsWeight is null && inputs.BaseModel is null ? "" : $" with {JsonSerializer.Serialize(inputs with { CorrectionIds = null }, WebJson.Options)}");
            logger.LogInformation("Training run {RunId}: {Train} correction(s) to train on (weight {Weight}), {Test} to test on, base model {BaseModel}",
                id, samples.Train?.Count ?? 0, inputs.CorrectionsWeight, samples.Test?.Count ?? 0, inputs.BaseModel ?? "none");
            // from its checkpoint when it has one (the base model is needed only without), for the epochs it is queued for
            using var trainer = CheckpointedTraining.Open(checkpoint, resume: true, architecture, trainingOptions with { Epochs = run.Epochs }, data,
                File.Exists(checkpoint) ? null : StartingParameters(inputs), samples);
            if (trainer.History.Count > 0) runs.RecordEpochs(live, trainer.History);
            trainer.BatchCompleted = live.OnBatch;
            CheckpointedTraining.Run(trainer, checkpoint, command, metrics => runs.EpochCompleted(live, metrics), cancel.Token);
            runs.BeginPublishing(live, cancel.Token);
            Publish(run, architecture, trainer, data.Test, command);
            status = RunStatus.Completed;
            DeleteCheckpoint(id, checkpoint);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            status = live.CancelRequested ? RunStatus.Canceled : RunStatus.Interrupted;
        }
        catch (Exception ex)
        {
            error = ex is TrainingDivergedException ? "Training diverged: " + ex.Message : ex.Message;
            logger.LogError(ex, "Training run {RunId} failed", id);
        }
        finally
        {
            runs.End(live, status, error);
        }
    }

    /// <summary>The run's inputs, with the accepted drawings frozen (and recorded) the first time it starts.</summary>
    private RunInputs FreezeCorrections(RunRecord run)
    {
        var inputs = run.Inputs;
        if (inputs.CorrectionIds is not null) return inputs;
        inputs = inputs with { CorrectionIds = drawings.AcceptedIds() };
        runs.RecordInputs(run.Id, inputs);
        return inputs;
    }

    /// <summary>A copy of the base model's parameters to fine-tune, or null to initialise afresh.</summary>
    private float[]? StartingParameters(RunInputs inputs) => inputs.BaseModel is not { } id ? null
        : (float[])(registry.Get(id) ?? throw new InvalidOperationException($"the base model '{id}' is no longer loaded; start a new run from another model")).Model.Parameters.Clone();

    /// <summary>Writes the model, loads it into the registry, and records the run's results.</summary>
    private void Publish(RunRecord run, Architecture architecture, Trainer trainer, Core.Data.MnistSplit test, string command)
    {
        long id = run.Id;
        var evaluation = trainer.LastEvaluation ?? Evaluator.Evaluate(trainer.Network, trainer.Parameters, test, trainer.Options.Threads);
        // the run's id and creation time: a database reset reuses ids, never both
        string origin = $"{id} {Database.Time(run.CreatedAt)}";
        Directory.CreateDirectory(registry.TrainedDirectoryPath);
        string modelId = UniqueModelId($"run-{id}-{architecture.Name}", origin);
        string path = Path.Combine(registry.TrainedDirectoryPath, modelId + ModelRegistry.FileExtension);
        CheckpointedTraining.SaveModel(trainer, command, path, new Dictionary<string, string> { [RunKey] = origin });
        registry.Load(path);

        var confusion = new int[OutputHead.Classes][];
        for (int t = 0; t < OutputHead.Classes; t++)
            confusion[t] = [.. Enumerable.Range(0, OutputHead.Classes).Select(p => evaluation.Confusion[t, p])];
        var mistakes = Enumerable.Range(0, evaluation.Count)
            .Where(i => evaluation.Predictions[i] != evaluation.Labels[i])
            .Take(_options.MaxMistakes)
            .Select(i => new MistakeRecord(i, evaluation.Labels[i], evaluation.Predictions[i]))
            .ToList();
        runs.Complete(id, modelId, evaluation.Accuracy, confusion, mistakes);
    }

    /// <summary>The metadata key that names the run a trained model came from (its id and creation time).</summary>
    public const string RunKey = "web_run";

    /// <summary>
    /// The id itself, or with a short random suffix when a model of that id is loaded or its file exists
    /// (say the data folder was reset but old model files remain): a new run never replaces another's
    /// model. A model this same run wrote before a crash kept it from recording the end is its own, and replaced.
    /// </summary>
    private string UniqueModelId(string baseId, string origin)
    {
        bool Mine(string id) => registry.Get(id) is { } entry && entry.Model.Metadata.GetValueOrDefault(RunKey) == origin;
        bool Taken(string id) => !Mine(id) && (registry.Get(id) is not null || File.Exists(Path.Combine(registry.TrainedDirectoryPath, id + ModelRegistry.FileExtension)));
        string id = baseId;
        while (Taken(id)) id = $"{baseId}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}";
        if (id != baseId) logger.LogWarning("A model {ModelId} already exists; the run's model is saved as {NewId} instead", baseId, id);
        return id;
    }

    private void DeleteCheckpoint(long id, string checkpoint)
    {
        try
        {
            File.Delete(checkpoint);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning(ex, "Training run {RunId}: its checkpoint could not be deleted", id);
        }
    }
}
