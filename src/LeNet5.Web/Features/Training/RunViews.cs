namespace LeNet5.Web.Features.Training;

/// <summary>
/// Runs as the API shows them: the database's record, with the progress of a running run: from this
/// replica's <see cref="LiveRun"/> when it trains the run, else as the trainer last wrote it to the row.
/// </summary>
public sealed class RunViews(RunStore store, TrainingRuns runs, ILogger<RunViews> logger)
{
    /// <summary>A run; null when there is no such run.</summary>
    public RunView? Find(long id, bool withLossCurve = false) =>
        store.GetRun(id) is { } run ? View(run, store.GetEpochs(id), withLossCurve) : null;

    /// <summary>A page of runs, newest first: up to <paramref name="limit"/> runs older than run <paramref name="before"/>.</summary>
    public IReadOnlyList<RunView> List(int limit, long? before)
    {
        var list = store.ListRuns(limit, before);
        if (list.Count == 0) return [];
        var epochs = store.GetEpochs(list[^1].Id, list[0].Id);
        return [.. list.Select(r => View(r, epochs.GetValueOrDefault(r.Id) ?? [], withLossCurve: false))];
    }

    /// <summary>The run's view when it has ended, for its watchers, or null when it cannot be read. Never throws.</summary>
    public RunView? Final(long id)
    {
        try
        {
            return Find(id, withLossCurve: true);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Training run {RunId}: could not read it for its watchers", id);
            return null;
        }
    }

    /// <summary>Its progress now: this replica's own when it trains the run, else the row's.</summary>
    public LiveProgress? ProgressOf(RunRecord run) =>
        run.Status != RunStatus.Running ? null : runs.Local(run.Id) is { } live ? live.Snapshot() : run.Progress;

    private static RunInputsView InputsView(RunInputs inputs)
    {
        int? test = inputs.CorrectionIds?.Count(Corrections.CorrectionSplit.IsTest);
        int? train = inputs.CorrectionIds is null ? null : inputs.CorrectionsWeight is null ? 0 : inputs.CorrectionIds.Count - test;
        return new RunInputsView(inputs.CorrectionsWeight, inputs.BaseModel, train, test);
    }

    private RunView View(RunRecord run, IReadOnlyList<EpochMetrics> history, bool withLossCurve)
    {
        var live = ProgressOf(run);
        var last = history.Count > 0 ? history[^1] : null;
        double progress = run.Status == RunStatus.Completed ? 1
            : live is not null ? live.Progress
            : run.Epochs == 0 ? 0 : (double)run.CompletedEpochs / run.Epochs;
        IReadOnlyList<double[]>? curve = null;
        if (withLossCurve)
            curve = runs.Local(run.Id) is { } local && run.Status == RunStatus.Running ? local.LossCurve()
                : run.LossCurveJson is { } json ? JsonSerializer.Deserialize<List<double[]>>(json) : [];
        return new RunView(run.Id, run.Status, run.Settings, run.CreatedAt, run.StartedAt, run.FinishedAt,
            live?.Epoch ?? run.CompletedEpochs, run.Epochs, run.CompletedEpochs, progress,
            live is not null ? live.ImagesPerSecond : last?.ImagesPerSecond,
            live?.EtaSeconds,
            live?.Phase,
            history, live?.LearningRates ?? last?.LearningRates,
            run.ModelId, run.TestAccuracy, run.Error)
        {
            LossCurve = curve,
            Inputs = InputsView(run.Inputs),
            Trainer = run.Trainer,
        };
    }
}
