using System.Collections.Concurrent;
using Npgsql;

namespace LeNet5.Web.Infrastructure.Cluster;

/// <summary>
/// Wake-ups between replicas: "the queue changed", "run 7 changed", "the models changed". A writer
/// calls <see cref="Notify"/> after its change is committed; every replica's waiters on that topic
/// wake (through PostgreSQL's NOTIFY, or in-process on SQLite, where there is one replica). A signal
/// only shortens a wait: whoever waits also looks at the database on its own every so often, so a
/// signal lost with a dropped connection delays nothing by more than that interval.
/// </summary>
public sealed class ClusterSignals(Database database, ILogger<ClusterSignals> logger)
{
    public const string Channel = "lenet5";
    public const string Runs = "runs", Models = "models";

    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiters = new(StringComparer.Ordinal);

    public static string Run(long id) => $"run:{id}";

    /// <summary>A task that completes at the next signal on <paramref name="topic"/> (take it before reading, so no change slips between).</summary>
    public Task Next(string topic) =>
        _waiters.GetOrAdd(topic, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Waits for the next signal on <paramref name="topic"/>, at most <paramref name="poll"/>; true when signalled.</summary>
    public async Task<bool> WaitAsync(Task next, TimeSpan poll, CancellationToken cancellationToken)
    {
        var done = await Task.WhenAny(next, Task.Delay(poll, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
        return done == next;
    }

    /// <summary>Tells every replica (this one included) that <paramref name="topic"/> changed. Never throws: a lost signal only delays.</summary>
    public void Notify(string topic)
    {
        if (!database.IsPostgres)
        {
            Wake(topic);
            return;
        }
        try
        {
            database.Execute("SELECT pg_notify(@channel, @topic);", ("@channel", Channel), ("@topic", topic));
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            logger.LogWarning("Could not signal {Topic} to the other replicas: {Reason}", topic, ex.Message);
            Wake(topic);
        }
    }

    /// <summary>Wakes this replica's waiters on <paramref name="topic"/>.</summary>
    public void Wake(string topic)
    {
        if (_waiters.TryRemove(topic, out var waiters)) waiters.TrySetResult();
    }
}

/// <summary>
/// On PostgreSQL, one connection per replica that LISTENs on <see cref="ClusterSignals.Channel"/> and
/// wakes the local waiters of each notification; it reconnects when the database comes back.
/// </summary>
public sealed class ClusterListener(Database database, IOptions<DataOptions> options, ClusterSignals signals, ILogger<ClusterListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!database.IsPostgres) return;
        var lost = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(options.Value.PostgresConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) => signals.Wake(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {ClusterSignals.Channel};", connection)) await listen.ExecuteNonQueryAsync(stoppingToken);
                if (lost) logger.LogInformation("Listening to the other replicas again");
                lost = false;
                while (!stoppingToken.IsCancellationRequested) await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or System.Net.Sockets.SocketException or IOException or InvalidOperationException or TimeoutException)
            {
                if (!lost) logger.LogWarning("Lost the other replicas' signals ({Reason}); reconnecting, and polling meanwhile", ex.Message);
                lost = true;
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}

public static class ClusterRegistration
{
    /// <summary>The replica's name and the signals between replicas, once, for every feature that needs them.</summary>
    public static IServiceCollection AddCluster(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(ClusterSignals))) return services;
        services.AddDatabase();
        services.AddSettings<ReplicaOptions>(ReplicaOptions.Section);
        services.AddSingleton<ClusterSignals>();
        services.AddHostedService<ClusterListener>();
        return services;
    }
}
