namespace LeNet5.Web.Features.Training;

/// <summary>Runs as the API shows them: the database's record, with the live progress of the run that is going.</summary>
public sealed class RunViews(RunStore store, ILogger<RunViews> logger)
{
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
