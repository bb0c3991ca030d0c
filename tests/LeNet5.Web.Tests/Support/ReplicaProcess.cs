using System.Net;

namespace LeNet5.Web.Tests.Support;

/// <summary>
/// One replica of the app in a cluster test: the built app run as its own process, as a deployment
/// runs it (Production environment), on a loopback port that stays the same across restarts (so that
/// nginx's upstream list stays right) and with a data folder of its own that outlives them. The rate
/// limits are lifted: every request comes from the one test machine.
/// </summary>
public sealed class ReplicaProcess : IDisposable
{
    private static readonly TimeSpan HealthyTimeout = TimeSpan.FromSeconds(60);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly (string Key, string Value)[] _environment;
    private readonly List<string> _earlierLines = [];
    private WebProcess? _run;

    /// <summary>A replica not started yet: <paramref name="port"/> 0 takes a free one; <paramref name="environment"/> adds to or overrides the settings below.</summary>
    public ReplicaProcess(string name, IEnumerable<(string Key, string Value)>? environment = null, int port = 0)
    {
        Name = name;
        Port = port == 0 ? LoopbackPort.Free() : port;
        DataDirectory = Directory.CreateTempSubdirectory($"lenet5-replica-{name}-").FullName;
        _environment =
        [
            ("ASPNETCORE_ENVIRONMENT", "Production"),
            ("ASPNETCORE_URLS", Address.ToString().TrimEnd('/')),
            ("Replica__Name", name),
            ("RateLimit__PermitLimit", "1000000"),
            ("RateLimit__AdminPermitLimit", "1000000"),
            ("RateLimit__LoginPermitLimit", "1000000"),
            ("RateLimit__CorrectionsPermitLimit", "1000000"),
            .. environment ?? [],
        ];
    }

    /// <summary>Starts a replica on a free port and waits until it is healthy.</summary>
    public static async Task<ReplicaProcess> StartNewAsync(string name, params (string Key, string Value)[] environment)
    {
        var replica = new ReplicaProcess(name, environment);
        try
        {
            await replica.StartAsync();
            return replica;
        }
        catch
        {
            replica.Dispose();
            throw;
        }
    }

    /// <summary>Starts these replicas side by side and waits until all are healthy; when one fails, all are disposed.</summary>
    public static async Task<ReplicaProcess[]> StartAllAsync(params ReplicaProcess[] replicas)
    {
        try
        {
            await Task.WhenAll(replicas.Select(r => r.StartAsync()));
            return replicas;
        }
        catch
        {
            foreach (var replica in replicas) replica.Dispose();
            throw;
        }
    }

    /// <summary>The settings that put a replica's data in this PostgreSQL database instead of its own SQLite files.</summary>
    public static (string Key, string Value)[] OnPostgres(string connectionString) =>
        [("Data__Provider", "postgres"), ("ConnectionStrings__Postgres", connectionString)];

    public string Name { get; }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>Its Data__Directory, kept across restarts.</summary>
    public string DataDirectory { get; }

    /// <summary>Whether a run of it is started and has not ended.</summary>
    public bool IsRunning => _run is { HasExited: false };

    /// <summary>Every line it wrote, over all its runs.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_earlierLines) return [.. _earlierLines, .. _run?.Lines ?? []];
        }
    }

    /// <summary>Starts it (again, after it ended) on its port and waits until <c>GET /healthz</c> answers 200; fails with its output after a minute.</summary>
    public async Task StartAsync()
    {
        Assert.False(IsRunning, $"replica {Name} is already running");
        lock (_earlierLines)
        {
            if (_run is not null) _earlierLines.AddRange(_run.Lines);
            _run?.Dispose();
            _run = new WebProcess(DataDirectory, _environment);
        }
        var run = _run;
        var deadline = DateTime.UtcNow + HealthyTimeout;
        string last = "no answer yet";
        while (DateTime.UtcNow < deadline)
        {
            if (run.HasExited) Assert.Fail($"replica {Name} exited while starting:\n{string.Join('\n', Lines)}");
            try
            {
                using var response = await Http.GetAsync(new Uri(Address, "/healthz"));
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }
            catch (TaskCanceledException)
            {
                last = "a request timed out";
            }
            await Task.Delay(200);
        }
        Assert.Fail($"replica {Name} was not healthy within {HealthyTimeout.TotalSeconds} s (/healthz: {last}):\n{string.Join('\n', Lines)}");
    }

    /// <summary>Kills it at once (SIGKILL, as <c>kill -9</c> or a crash): no shutdown code runs, its connections are cut.</summary>
    public void Kill() => _run?.Kill();

    /// <summary>Asks it to shut down (SIGTERM, as an orchestrator does in a rolling restart).</summary>
    public void Terminate() => _run?.Terminate();

    /// <summary>Waits for its current run to end and returns the exit code; fails after <paramref name="timeout"/>.</summary>
    public Task<int> WaitForExitAsync(TimeSpan timeout) =>
        (_run ?? throw new InvalidOperationException($"replica {Name} was never started")).WaitForExitAsync(timeout);

    /// <summary>Shuts it down (SIGTERM), waits for it to end and starts it again on the same port and data.</summary>
    public async Task RestartAsync()
    {
        Terminate();
        await WaitForExitAsync(TimeSpan.FromSeconds(30));
        await StartAsync();
    }

    public void Dispose()
    {
        _run?.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // a file still held open by a finishing run; the temp folder is cleaned by the OS
        }
    }
}
