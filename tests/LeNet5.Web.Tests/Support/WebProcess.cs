using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LeNet5.Web.Tests.Support;

/// <summary>The built web app run as its own process, as a user runs it: its console output and, once it listens, its address.</summary>
public sealed partial class WebProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource<string> _address = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reading;

    public static string Dll { get; } = Path.Combine(
        Path.GetDirectoryName(CliRunner.Path)!.Replace(Path.Combine("LeNet5.Cli", "bin"), Path.Combine("LeNet5.Web", "bin")), "LeNet5.Web.dll");

    /// <summary>Starts the app on a free loopback port with a data folder of its own and these environment variables.</summary>
    public WebProcess(string dataDirectory, params (string Key, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(Dll)! };
        start.ArgumentList.Add(Dll);
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["Data__Directory"] = dataDirectory;
        foreach (var (key, value) in environment) start.Environment[key] = value;
        _process = ChildProcesses.Start(start);
        _reading = Task.WhenAll(Read(_process.StandardOutput), Read(_process.StandardError));
    }

    /// <summary>Every line the app wrote so far, standard output and error together.</summary>
    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    /// <summary>Where the app listens, once it does; fails when it exits first or takes more than a minute.</summary>
    public async Task<Uri> AddressAsync()
    {
        var done = await Task.WhenAny(_address.Task, _reading, Task.Delay(TimeSpan.FromMinutes(1)));
        Assert.True(done == _address.Task, $"the app did not start listening:\n{string.Join('\n', Lines)}");
        return new Uri(await _address.Task);
    }

    /// <summary>Waits for the app to end on its own and returns its exit code.</summary>
    public int WaitForExit()
    {
        Assert.True(_process.WaitForExit(TimeSpan.FromMinutes(1)), "the app kept running");
        _reading.Wait(TimeSpan.FromSeconds(10));
        return _process.ExitCode;
    }

    /// <summary>Kills the app at once (SIGKILL, as <c>kill -9</c> or a crash): no shutdown code runs.</summary>
    public void Kill() => ChildProcesses.Kill(_process);

    /// <summary>Asks the app to shut down (SIGTERM, as <c>docker stop</c> or systemd does): it finishes what it was doing and exits.</summary>
    public void Terminate() => ChildProcesses.Signal(_process, ChildProcesses.SigTerm);

    /// <summary>Waits for the app to end (after <see cref="Kill"/>, <see cref="Terminate"/> or on its own) and returns its exit code; fails after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the app kept running for {timeout.TotalSeconds} s:\n{string.Join('\n', Lines)}");
        }
        await Task.WhenAny(_reading, Task.Delay(TimeSpan.FromSeconds(10)));
        return _process.ExitCode;
    }

    public bool HasExited => _process.HasExited;

    private async Task Read(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_lines) _lines.Add(line);
            if (Listening().Match(line) is { Success: true } m) _address.TrySetResult(m.Groups[1].Value);
        }
    }

    public void Dispose()
    {
        ChildProcesses.Kill(_process);
        _process.Dispose();
    }

    // as text or as JSON (where the address is quoted)
    [GeneratedRegex(@"Now listening on: \\?""?(http://[^""\\\s]+)")]
    private static partial Regex Listening();
}
