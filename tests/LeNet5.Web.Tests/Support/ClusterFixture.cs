namespace LeNet5.Web.Tests.Support;

/// <summary>
/// What the cluster tests share: one throwaway PostgreSQL server (each test takes databases of its
/// own from it, <see cref="PostgresServer.CreateDatabaseAsync"/>) and the nginx servers they start in
/// front of their replicas, all stopped when the collection ends. The tests of the collection run one
/// after another, so one of them may stop the database server for a while.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private readonly List<NginxServer> _nginxServers = [];
    private PostgresServer? _postgres;

    public PostgresServer Postgres => _postgres ?? throw new InvalidOperationException("the cluster fixture is not initialized");

    public async Task InitializeAsync() => _postgres = await PostgresServer.StartNewAsync();

    /// <summary>Starts nginx with the deployment configuration in front of these replicas (running or not); it is stopped with the collection if the test does not dispose it.</summary>
    public Task<NginxServer> StartNginxAsync(params ReplicaProcess[] replicas) => StartNginxAsync(replicas.Select(r => r.Address));

    /// <summary>Starts nginx in front of these upstream addresses (<c>http://127.0.0.1:PORT</c>).</summary>
    public async Task<NginxServer> StartNginxAsync(IEnumerable<Uri> upstreams)
    {
        var nginx = await NginxServer.StartAsync(upstreams);
        lock (_nginxServers) _nginxServers.Add(nginx);
        return nginx;
    }

    public Task DisposeAsync()
    {
        lock (_nginxServers)
        {
            foreach (var nginx in _nginxServers) nginx.Dispose();
        }
        _postgres?.Dispose();
        return Task.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster";
}
