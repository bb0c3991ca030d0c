using System.Collections.Concurrent;

namespace LeNet5.Web.Features.Training;

/// <summary>
/// The commands on training runs, from any replica: start, resume and cancel. Each is one conditional
/// write to the run's row (<see cref="RunStore"/>), the one owner of a run's state: the database's
/// unique index keeps one run queued or running across the cluster, so two starts on two replicas
/// cannot both win. A refused command throws the feature's problem (<see cref="TrainingProblems"/>).
/// It also knows the run this replica trains, if any (<see cref="Local"/>), to cancel it at once.
/// </summary>
public sealed class TrainingRuns(RunStore store, ClusterSignals signals, TimeProvider time, ILogger<TrainingRuns> logger)
{
    private readonly ConcurrentDictionary<long, LiveRun> _local = new();

    /// <summary>The run this replica trains, when it trains run <paramref name="id"/>; else null.</summary>
    public LiveRun? Local(long id) => _local.GetValueOrDefault(id);

    /// <summary>The run this replica trains, if any.</summary>
    public LiveRun? LocalRun => _local.Values.FirstOrDefault();

    /// <summary>Queues a new run (<see cref="TrainingRequest.Plan"/> checked it), unless a run is queued or running anywhere.</summary>
    public RunAccepted Start(RunPlan plan)
    {
        long id = store.CreateRun(JsonSerializer.Serialize(plan.Settings, WebJson.Options), plan.Options.Epochs, time.GetUtcNow(),
            plan.Inputs == RunInputs.None ? null : JsonSerializer.Serialize(plan.Inputs, WebJson.Options)) ?? throw Busy();
        return Queued(id);
    }

    /// <summary>Queues an interrupted, canceled or failed run again; it continues from its last checkpoint (or starts over without one).</summary>
    public RunAccepted Resume(long id, int? epochs)
    {
        if (store.GetRun(id) is not { } run) throw TrainingProblems.UnknownRun(id);
        if (!RunStates.CanResume(run.Status))
        {
            if (store.ActiveRun() is { } active && active.Id != id) throw Busy(active);
            throw TrainingProblems.NotResumable(id, run.Status);
        }
        int total = epochs ?? run.Epochs;
        // a run that crashed after its last checkpoint may resume with nothing left to train: it just publishes its model
        bool publishOnly = total == run.CompletedEpochs && run.CompletedEpochs > 0 && store.HasCheckpoint(id);
        if ((total <= run.CompletedEpochs && !publishOnly) || total > TrainingLimits.MaxEpochs)
            throw TrainingProblems.InvalidSettings(new Dictionary<string, string>
            {
                ["epochs"] = $"epochs must be more than the {run.CompletedEpochs} already trained (or equal to it, to publish a finished checkpoint), and at most {TrainingLimits.MaxEpochs}",
            });
        switch (store.Requeue(id, total))
        {
            case null: throw Busy();
            case false: throw TrainingProblems.NotResumable(id, store.GetRun(id)?.Status ?? run.Status); // it changed meanwhile
        }
        return Queued(id);
    }

    /// <summary>
    /// Cancels a queued run at once, or asks a running one to stop after its current batch (its trainer
    /// hears it at its next heartbeat, or at once when it is this replica). Once its training is over and
    /// its model is being published, it is too late (a conflict).
    /// </summary>
    public RunAccepted Cancel(long id)
    {
        if (store.GetRun(id) is null) throw TrainingProblems.UnknownRun(id);
        if (store.CancelQueued(id, time.GetUtcNow()))
        {
            logger.LogInformation("Training run {RunId} canceled while queued", id);
            signals.Notify(ClusterSignals.Run(id));
            return new(id, RunStatus.Canceled);
        }
        if (store.RequestCancel(id))
        {
            Local(id)?.RequestCancel();
            signals.Notify(ClusterSignals.Run(id));
            return new(id, RunStatus.Running); // it stops after its current batch
        }
        var now = store.GetRun(id)!;
        throw now.Status == RunStatus.Running && now.Publishing ? TrainingProblems.Publishing(id) : TrainingProblems.NotCancelable(id, now.Status);
    }

    /// <summary>The trainer of this replica starts training <paramref name="live"/>; until <see cref="Release"/>, <see cref="Local"/> finds it.</summary>
    public void Hold(LiveRun live) => _local[live.Id] = live;

    public void Release(LiveRun live) => _local.TryRemove(new KeyValuePair<long, LiveRun>(live.Id, live));

    private RunAccepted Queued(long id)
    {
        logger.LogInformation("Training run {RunId} queued", id);
        signals.Notify(ClusterSignals.Runs);
        return new(id, RunStatus.Queued);
    }

    /// <summary>The conflict of a command while another run is queued or running (it names that run when it still is).</summary>
    private ApiProblem Busy(RunRecord? active = null)
    {
        active ??= store.ActiveRun();
        return TrainingProblems.Busy(active?.Id ?? 0, active?.Status == RunStatus.Running);
    }
}
