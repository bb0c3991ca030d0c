using System.Diagnostics;
using System.Runtime.InteropServices;

namespace LeNet5.Web.Tests.Support;

/// <summary>
/// The servers the tests start as processes of their own (the app, PostgreSQL, nginx): whatever is
/// still running when the test run ends, however it ends, is killed with its children, so that no
/// test leaves a server holding a port or a folder behind.
/// </summary>
public static class ChildProcesses
{
    private static readonly HashSet<Process> Running = [];

    static ChildProcesses() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    /// <summary>Starts a process that is killed when the test run ends, unless it has ended by then.</summary>
    public static Process Start(ProcessStartInfo start)
    {
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        lock (Running) Running.Add(process);
        return process;
    }

    /// <summary>Kills the process and its children (SIGKILL) and forgets it.</summary>
    public static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // it ended on its own meanwhile
        }
        lock (Running) Running.Remove(process);
    }

    /// <summary>Sends the process a signal (SIGTERM, SIGINT, ...), as <c>kill -SIGNAL pid</c> does.</summary>
    public static void Signal(Process process, int signal)
    {
        if (process.HasExited) return;
        if (SendSignal(process.Id, signal) != 0 && !process.HasExited)
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Whether this test run runs as root, which PostgreSQL refuses to run as.</summary>
    public static bool IsRoot => GetEffectiveUserId() == 0;

    public const int SigInt = 2, SigQuit = 3, SigTerm = 15;

    private static void KillAll()
    {
        Process[] running;
        lock (Running) running = [.. Running];
        foreach (var process in running) Kill(process);
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    [DllImport("libc", EntryPoint = "geteuid")]
    private static extern uint GetEffectiveUserId();
}
