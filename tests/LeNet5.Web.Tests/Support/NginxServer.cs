using System.Diagnostics;
using System.Net.Sockets;

namespace LeNet5.Web.Tests.Support;

/// <summary>
/// nginx in front of replicas of the app, configured from the repository's deployment configuration
/// (<c>deploy/nginx.conf</c>, the one the docs show), so that the cluster tests test what is shipped.
/// It runs in the foreground as a child process, on a free loopback port, with its pid file, logs and
/// temp files in a temp folder of its own. The upstream list is fixed when it starts: list every
/// replica up front, since a replica that is down refuses connections and nginx passes the request
/// on to the next one.
/// </summary>
public sealed class NginxServer : IDisposable
{
    /// <summary>Debian's nginx (nginx-light; .ci/run installs it).</summary>
    public const string Binary = "/usr/sbin/nginx";

    public static string Template { get; } = Path.Combine(RepoPaths.Root, "deploy", "nginx.conf");

    private readonly string _folder;
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private bool _disposed;

    private NginxServer(string folder, int port, string configuration, Process process)
    {
        _folder = folder;
        _process = process;
        Address = new Uri($"http://127.0.0.1:{port}");
        Configuration = configuration;
    }

    /// <summary>Where clients reach the replicas.</summary>
    public Uri Address { get; }

    /// <summary>The configuration nginx runs with: the template with its placeholders filled in.</summary>
    public string Configuration { get; }

    /// <summary>nginx's error log and its console output so far, for failure messages.</summary>
    public string Log
    {
        get
        {
            var errorLog = Path.Combine(_folder, "error.log");
            lock (_lines) return string.Join('\n', [.. _lines, .. File.Exists(errorLog) ? File.ReadAllLines(errorLog) : []]);
        }
    }

    /// <summary>The deployment configuration with its placeholders (documented at its top, in comments left as they are) filled in.</summary>
    public static string Render(string template, string listen, IEnumerable<Uri> upstreams, string prefix)
    {
        var servers = string.Join('\n', upstreams.Select(u => $"        server {u.Host}:{u.Port} max_fails=0;"));
        var lines = template.Split('\n').Select(line => line.TrimStart().StartsWith('#')
            ? line
            : line.Replace("{{LISTEN}}", listen).Replace("{{UPSTREAMS}}", servers).Replace("{{PREFIX}}", prefix));
        var rendered = string.Join('\n', lines);
        Assert.DoesNotContain("{{", string.Join('\n', rendered.Split('\n').Where(line => !line.TrimStart().StartsWith('#'))));
        return rendered;
    }

    /// <summary>Starts nginx on a free loopback port in front of these replicas (<c>http://127.0.0.1:PORT</c>) and waits until it listens.</summary>
    public static async Task<NginxServer> StartAsync(IEnumerable<Uri> upstreams)
    {
        if (!File.Exists(Binary)) Assert.Fail($"nginx is not installed ({Binary} is missing): install Debian's nginx-light, as .ci/run does");
        var folder = Directory.CreateTempSubdirectory("lenet5-nginx-").FullName;
        // run by root, nginx's workers run as nobody: they must reach their temp folders inside this one
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var port = LoopbackPort.Free();
        var configuration = Render(await File.ReadAllTextAsync(Template), $"127.0.0.1:{port}", upstreams, folder);
        var file = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(file, configuration);

        // -e: the log of the start-up itself, before the configuration's error_log applies, goes to the folder too
        var start = new ProcessStartInfo(Binary)
        {
            ArgumentList = { "-p", folder, "-c", file, "-e", Path.Combine(folder, "error.log"), "-g", "daemon off;" },
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder,
        };
        var nginx = new NginxServer(folder, port, configuration, ChildProcesses.Start(start));
        _ = nginx.Read(nginx._process.StandardOutput);
        _ = nginx.Read(nginx._process.StandardError);
        try
        {
            await nginx.WaitUntilListeningAsync(port);
            return nginx;
        }
        catch
        {
            nginx.Dispose();
            throw;
        }
    }

    private async Task WaitUntilListeningAsync(int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            if (_process.HasExited) Assert.Fail($"nginx exited with code {_process.ExitCode} while starting:\n{Log}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            catch (SocketException)
            {
                Assert.Fail($"nginx did not listen on port {port} within 15 s:\n{Log}");
            }
        }
    }

    private async Task Read(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_lines) _lines.Add(line);
        }
    }

    /// <summary>Stops nginx (a fast shutdown, SIGTERM, then SIGKILL of it and its workers) and deletes its folder.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!_process.HasExited)
        {
            ChildProcesses.Signal(_process, ChildProcesses.SigTerm);
            _process.WaitForExit(TimeSpan.FromSeconds(5));
        }
        ChildProcesses.Kill(_process);
        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // a worker still closing its logs; the temp folder is cleaned by the OS
        }
    }
}
