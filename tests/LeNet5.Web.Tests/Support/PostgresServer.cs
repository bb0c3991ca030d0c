using System.Diagnostics;
using Npgsql;

namespace LeNet5.Web.Tests.Support;

/// <summary>
/// A throwaway PostgreSQL 15 server for the cluster tests: a fresh cluster in a temp folder, on a free
/// loopback port, trusting every local connection as <c>postgres</c>, with durability traded for
/// speed (nothing in it outlives the test run). Tests share one server and isolate by database
/// (<see cref="CreateDatabaseAsync"/>). <see cref="StopAsync"/> and <see cref="StartAsync"/> take it
/// away and bring it back on the same port and data, as a database restart or outage does to the app.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    /// <summary>Debian's postgresql-15 binaries (.ci/run installs them; a machine without them cannot run the cluster tests).</summary>
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string _folder;
    private readonly List<string> _lines = [];
    private Process? _server;
    private int _databases;

    private PostgresServer(string folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    private string DataDirectory => Path.Combine(_folder, "data");

    // the Unix socket goes to the temp folder too: the system's /var/run/postgresql may not exist or be writable
    private string SocketDirectory => Path.Combine(_folder, "socket");

    /// <summary>What the server wrote so far (all its runs), for failure messages.</summary>
    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    /// <summary>Creates the cluster in a fresh temp folder and starts the server; fails (never skips) when PostgreSQL is not installed.</summary>
    public static async Task<PostgresServer> StartNewAsync()
    {
        if (!File.Exists(Path.Combine(BinDirectory, "postgres")))
            Assert.Fail($"PostgreSQL 15 is not installed ({BinDirectory}/postgres is missing): install Debian's postgresql-15, as .ci/run does");
        var folder = Directory.CreateTempSubdirectory("lenet5-postgres-").FullName;
        var server = new PostgresServer(folder, LoopbackPort.Free());
        try
        {
            Directory.CreateDirectory(server.SocketDirectory);
            if (ChildProcesses.IsRoot) Run("chown", ["-R", "postgres:postgres", folder]);
            Run(Path.Combine(BinDirectory, "initdb"), ["-D", server.DataDirectory, "--auth=trust", "-U", "postgres", "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"]);
            await server.StartAsync();
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>The Npgsql connection string of one of this server's databases.</summary>
    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database}";

    /// <summary>Creates an empty database of a name no other test has and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}";
        await using var connection = await OpenAdminAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>
    /// Starts the server (again) on the same port and data and waits until it takes connections.
    /// Connections pooled before a <see cref="StopAsync"/> are broken; Npgsql finds out when it uses them.
    /// </summary>
    public async Task StartAsync()
    {
        if (_server is { HasExited: false }) return;
        var start = AsPostgresUser(Path.Combine(BinDirectory, "postgres"),
        [
            "-D", DataDirectory, "-p", Port.ToString(), "-h", "127.0.0.1", "-k", SocketDirectory,
            "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off", "-c", "max_connections=200",
        ]);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        var server = ChildProcesses.Start(start);
        _server = server;
        _ = Read(server.StandardOutput);
        _ = Read(server.StandardError);

        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            if (server.HasExited) Assert.Fail($"PostgreSQL exited with code {server.ExitCode} while starting:\n{string.Join('\n', Lines)}");
            try
            {
                await using var connection = await OpenAdminAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline)
            {
                // not listening yet, or still starting up ("the database system is starting up")
            }
            catch (NpgsqlException e)
            {
                Assert.Fail($"PostgreSQL did not take connections within {StartTimeout.TotalSeconds} s ({e.Message}):\n{string.Join('\n', Lines)}");
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Stops the server as an outage does: a fast shutdown (SIGINT) ends every session at once, then
    /// nothing listens on the port until <see cref="StartAsync"/>.
    /// </summary>
    public async Task StopAsync()
    {
        if (_server is not { HasExited: false } server) return;
        ChildProcesses.Signal(server, ChildProcesses.SigInt);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await server.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            ChildProcesses.Kill(server);
            await server.WaitForExitAsync();
        }
    }

    /// <summary>Stops the server at once (an immediate shutdown, then SIGKILL) and deletes its folder.</summary>
    public void Dispose()
    {
        if (_server is { } server)
        {
            if (!server.HasExited)
            {
                ChildProcesses.Signal(server, ChildProcesses.SigQuit);
                if (!server.WaitForExit(TimeSpan.FromSeconds(5))) ChildProcesses.Kill(server);
            }
            ChildProcesses.Kill(server);
            server.Dispose();
        }
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // a backend still closing its files; the temp folder is cleaned by the OS
        }
    }

    // without pooling: a connection of the fixture's must not outlive a stop and fail a later check
    private Task<NpgsqlConnection> OpenAdminAsync() => OpenAsync(ConnectionString("postgres") + ";Pooling=false;Timeout=2");

    private static async Task<NpgsqlConnection> OpenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync();
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private async Task Read(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_lines) _lines.Add(line);
        }
    }

    // PostgreSQL refuses to run as root: as root, run it as the postgres user (setpriv execs, so the process is the server itself)
    private static ProcessStartInfo AsPostgresUser(string file, IEnumerable<string> args)
    {
        var start = ChildProcesses.IsRoot
            ? new ProcessStartInfo("setpriv") { ArgumentList = { "--reuid=postgres", "--regid=postgres", "--init-groups", "--", file } }
            : new ProcessStartInfo(file);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.WorkingDirectory = "/";
        return start;
    }

    private static void Run(string file, IEnumerable<string> args)
    {
        var start = file == "chown" ? new ProcessStartInfo(file) : AsPostgresUser(file, []);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.RedirectStandardOutput = start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(1))) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        if (process.ExitCode != 0)
            Assert.Fail($"{Path.GetFileName(file)} {string.Join(' ', start.ArgumentList)} failed with code {process.ExitCode}:\n{output.Result}\n{error.Result}");
    }
}
