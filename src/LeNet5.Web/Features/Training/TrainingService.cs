namespace LeNet5.Web.Features.Training;

/// <summary>
/// This replica's trainer (unless Training:Enabled is false): it claims the oldest run that needs a
/// trainer (queued, or running with a lapsed lease: its replica died) and trains it on a dedicated
/// thread, one run at a time; it looks for work when a run is queued anywhere (a signal) and every
/// second. On shutdown the run it trains goes back to the queue from its last checkpoint.
/// </summary>
public sealed class TrainingService(
    RunStore store, TrainingExecutor executor, Database database, RunCheckpoints checkpoints, ClusterSignals signals,
    IOptions<TrainingServiceOptions> options, TimeProvider time, ILogger<TrainingService> logger) : BackgroundService
{
    /// <summary>How often an idle trainer looks for a run without being signalled.</summary>
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (SafeTensors.SweepLeftovers(checkpoints.DirectoryPath) is > 0 and var swept)
            logger.LogWarning("Deleted {Count} temporary checkpoint file(s) an interrupted write left", swept);
        if (options.Value.Enabled)
            logger.LogInformation("Training database: {Database}; this replica trains as {Trainer} with {Threads} thread(s) of {Processors}",
                database.Description, executor.Trainer, options.Value.EffectiveThreads, Environment.ProcessorCount);
        else
            logger.LogInformation("Training is disabled on this replica (Training:Enabled=false); it only serves");
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        await Task.Yield(); // start-up goes on while this loop waits
        bool databaseAway = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            var queued = signals.Next(ClusterSignals.Runs);
            long? id = null;
            try
            {
                // a replica alone on SQLite is the only trainer there can be: a run left running is its own from before a crash
                id = store.Claim(executor.Trainer, time.GetUtcNow(), executor.LeaseEnd(), takeAnyRunning: !database.IsPostgres);
                if (databaseAway) logger.LogInformation("The training database answers again");
                databaseAway = false;
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
            {
                if (!databaseAway) logger.LogWarning("Cannot look for training runs: {Reason}", ex.Message);
                databaseAway = true;
            }
            if (id is { } claimed)
            {
                try
                {
                    await Task.Factory.StartNew(() => executor.Train(claimed, stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                }
                catch (Exception ex)
                {
                    // Train guards itself; this is the last line of defence: one run's failure must not stop the service (or the host)
                    logger.LogError(ex, "Training run {RunId}: the training loop caught an unexpected failure; its claim runs out and it is taken up again", claimed);
                }
                continue;
            }
            try
            {
                await signals.WaitAsync(queued, Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
