using System.Data.Common;

namespace LeNet5.Web.Features.Models;

/// <summary>
/// Keeps this replica's models in line with the database, which every replica shares: every
/// <see cref="Interval"/>, or at once when a replica signals <see cref="ClusterSignals.Models"/>, so that
/// a model trained, activated or deleted on any replica takes effect on all of them within about a
/// second. While the database is away it says so once and the models already loaded keep answering.
/// </summary>
public sealed class ModelSync(ModelRegistry registry, ModelAnswers answers, ClusterSignals signals, Database database, ILogger<ModelSync> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var away = false;
        while (true)
        {
            // taken before the read, so that a signal sent while it reads is not lost
            var next = signals.Next(ClusterSignals.Models);
            try
            {
                foreach (var retired in registry.Synchronize()) answers.Forget(retired); // their ONNX files and the rest need not wait for the cache to push them out
                if (away) logger.LogInformation("{Database} answers again; the models are in line with it", database.Description);
                away = false;
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
            {
                if (!away) logger.LogWarning("Cannot read the models from {Database} ({Reason}); the {Count} loaded keep answering meanwhile", database.Description, ex.Message, registry.List().Count);
                away = true;
            }
            try
            {
                await signals.WaitAsync(next, Interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
