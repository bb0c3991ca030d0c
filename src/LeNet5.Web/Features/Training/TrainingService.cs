namespace LeNet5.Web.Features.Training;

/// <summary>
/// The background service that owns training: at start-up, runs a previous process left queued or
/// running become interrupted (they can be resumed from their last checkpoint); then it trains the
/// queued runs one at a time, each on a dedicated thread with the configured number of workers.
/// </summary>
public sealed class TrainingService(
    TrainingRuns runs, TrainingExecutor executor, Database database, RunCheckpoints checkpoints, IOptions<TrainingServiceOptions> options,
    ILogger<TrainingService> logger) : BackgroundService
{
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (SafeTensors.SweepLeftovers(checkpoints.DirectoryPath) is > 0 and var swept)
            logger.LogWarning("Deleted {Count} temporary checkpoint file(s) an interrupted write left", swept);
        int interrupted = runs.InterruptLeftovers();
        if (interrupted > 0) logger.LogWarning("{Count} training run(s) were left unfinished by the last process; they are now interrupted and can be resumed", interrupted);
        logger.LogInformation("Training database: {Database}; runs train with {Threads} thread(s) of {Processors}", database.Description, options.Value.EffectiveThreads, Environment.ProcessorCount);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var live in runs.Pending.ReadAllAsync(stoppingToken))
            {
                if (runs.Current != live) continue; // canceled while queued
                try
                {
                    await Task.Factory.StartNew(() => executor.Train(live, stoppingToken), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                }
                catch (Exception ex)
                {
                    // Train guards itself; this is the last line of defence: one run's failure must not stop the service (or the host)
                    logger.LogError(ex, "Training run {RunId}: the training loop caught an unexpected failure; the run is marked failed", live.Id);
                    runs.End(live, RunStatus.Failed, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down: a queued run stays queued in the database and shows as interrupted at the next start
        }
    }
}
