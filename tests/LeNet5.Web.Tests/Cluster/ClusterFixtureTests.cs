using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace LeNet5.Web.Tests.Cluster;

/// <summary>The cluster tests' own servers do what those tests rely on: a database per test, an outage on demand, nginx spreading requests over replicas and passing over a dead one.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterFixtureTests(ClusterFixture cluster)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Each_created_database_is_empty_and_apart_from_the_others()
    {
        var first = await cluster.Postgres.CreateDatabaseAsync();
        var second = await cluster.Postgres.CreateDatabaseAsync();
        Assert.NotEqual(first, second);

        await ExecuteAsync(first, "CREATE TABLE drawings (id integer PRIMARY KEY)");

        Assert.Equal(1L, await ScalarAsync(first, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"));
        Assert.Equal(0L, await ScalarAsync(second, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"));
    }

    [Fact]
    public async Task A_stopped_server_refuses_connections_and_takes_them_again_on_the_same_port_once_started()
    {
        var database = await cluster.Postgres.CreateDatabaseAsync();
        await ExecuteAsync(database, "CREATE TABLE kept (id integer)");
        var port = cluster.Postgres.Port;

        await cluster.Postgres.StopAsync();
        try
        {
            await Assert.ThrowsAnyAsync<NpgsqlException>(() => ScalarAsync(database, "SELECT 1"));
        }
        finally
        {
            await cluster.Postgres.StartAsync();
        }

        Assert.Equal(port, cluster.Postgres.Port);
        Assert.Equal(1L, await ScalarAsync(database, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'kept'"));
    }

    [Fact]
    public async Task Nginx_spreads_requests_over_the_replicas_and_passes_over_one_that_is_down()
    {
        var replicas = await ReplicaProcess.StartAllAsync(new ReplicaProcess("a"), new ReplicaProcess("b"));
        using var a = replicas[0];
        using var b = replicas[1];
        using var nginx = await cluster.StartNginxAsync(a, b);
        int aBefore = HealthChecks(a), bBefore = HealthChecks(b);

        await AssertAllHealthyAsync(nginx, 20);

        // their request logs are read asynchronously: wait until they have logged all 20
        await Eventually(() => HealthChecks(a) - aBefore + HealthChecks(b) - bBefore >= 20);
        var (servedByA, servedByB) = (HealthChecks(a) - aBefore, HealthChecks(b) - bBefore);
        Assert.True(servedByA + servedByB == 20 && servedByA >= 5 && servedByB >= 5, $"nginx did not spread the 20 requests: a served {servedByA}, b {servedByB}");

        a.Kill();
        await a.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await AssertAllHealthyAsync(nginx, 20);

        // a rolling restart: a comes back on its port, nginx sends it requests again, b shuts down cleanly
        await a.StartAsync();
        int aRestarted = HealthChecks(a);
        await Eventually(async () =>
        {
            await AssertAllHealthyAsync(nginx, 1);
            return HealthChecks(a) > aRestarted;
        }, TimeSpan.FromSeconds(10));
        Assert.True(HealthChecks(a) > aRestarted, "nginx sent the restarted replica no request");
        b.Terminate();
        Assert.Equal(0, await b.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await AssertAllHealthyAsync(nginx, 20);
    }

    [Fact]
    public async Task A_training_run_event_stream_passes_each_event_on_at_once_with_the_forwarded_headers()
    {
        // the app streams a run's events only to the admin, for a run that exists: a stand-in upstream
        // sends one event and keeps the stream open, as the app does between two progress events. Its
        // response ends with the connection rather than in chunks: nginx passes on a complete chunk
        // even when buffering, but holds back anything else until its buffer fills, unless buffering is off.
        using var upstream = new TcpListener(IPAddress.Loopback, 0);
        upstream.Start();
        var upstreamAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)upstream.LocalEndpoint).Port}");
        using var nginx = await cluster.StartNginxAsync([upstreamAddress]);
        using var streaming = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var request = ServeOneEventAsync(upstream, streaming.Token);

        var firstLine = FirstLineAsync(new Uri(nginx.Address, "/api/training/7/events"), streaming.Token);

        Assert.True(await Task.WhenAny(firstLine, Task.Delay(TimeSpan.FromSeconds(3))) == firstLine, "nginx held the event back: is proxy_buffering off in deploy/nginx.conf's location for the training events?");
        Assert.Equal("data: first", await firstLine);
        var served = await request;
        using var connection = served.Connection;
        Assert.Contains("X-Forwarded-For: 127.0.0.1\r\n", served.Head);
        Assert.Contains("X-Forwarded-Proto: http\r\n", served.Head);
        Assert.Contains("Host: 127.0.0.1\r\n", served.Head);
    }

    private static async Task<string?> FirstLineAsync(Uri address, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        using var body = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        return await body.ReadLineAsync(cancellationToken);
    }

    /// <summary>Answers one request with an event stream holding one event, left open; returns the request's head as it arrived and the connection.</summary>
    private static async Task<(string Head, TcpClient Connection)> ServeOneEventAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        var client = await listener.AcceptTcpClientAsync(cancellationToken);
        var stream = client.GetStream();
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n"))
        {
            int read = await stream.ReadAsync(buffer, cancellationToken);
            if (read == 0) break;
            head.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n" +
            "data: first\n\n"), cancellationToken);
        await stream.FlushAsync(cancellationToken);
        return (head.ToString(), client);
    }

    private static async Task AssertAllHealthyAsync(NginxServer nginx, int requests)
    {
        for (int i = 0; i < requests; i++)
        {
            using var response = await Http.GetAsync(new Uri(nginx.Address, "/healthz"));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"request {i + 1} through nginx: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}\n{nginx.Log}");
        }
    }

    private static int HealthChecks(ReplicaProcess replica) => replica.Lines.Count(l => l.Contains("HTTP GET /healthz responded 200"));

    private static Task Eventually(Func<bool> condition) => Eventually(() => Task.FromResult(condition()), TimeSpan.FromSeconds(5));

    private static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout)
    {
        for (var deadline = DateTime.UtcNow + timeout; !await condition() && DateTime.UtcNow < deadline;) await Task.Delay(50);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        // unpooled: a pooled connection would outlive the server's stop
        await using var connection = new NpgsqlConnection(connectionString + ";Pooling=false;Timeout=3");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
