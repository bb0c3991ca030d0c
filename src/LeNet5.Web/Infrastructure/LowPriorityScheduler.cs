using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace LeNet5.Web.Infrastructure;

/// <summary>
/// A task scheduler of its own threads, which run at a lower CPU priority (a higher Linux nice value)
/// than the rest of the process: heavy work scheduled here takes a core only when plain predictions,
/// on the thread pool, leave it idle. The work's own awaits come back here (an await resumes on the
/// current task scheduler), so all of its CPU time runs at the lower priority. .NET's Thread.Priority
/// does nothing on Linux, so the threads lower their own nice value with setpriority(2); elsewhere
/// they run at normal priority.
/// </summary>
public sealed class LowPriorityScheduler : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _queue = [];
    private readonly Thread[] _threads;

    public LowPriorityScheduler(int threads, int nice, string name = "heavy work")
    {
        _threads = [.. Enumerable.Range(0, threads).Select(i => new Thread(() => Work(nice)) { IsBackground = true, Name = $"{name} {i + 1}" })];
        foreach (var thread in _threads) thread.Start();
    }

    public override int MaximumConcurrencyLevel => _threads.Length;

    private void Work(int nice)
    {
        if (nice > 0 && OperatingSystem.IsLinux()) _ = SetPriority(ProcessScope, GetThreadId(), nice); // who = a thread id: that thread alone
        foreach (var task in _queue.GetConsumingEnumerable()) TryExecuteTask(task);
    }

    protected override void QueueTask(Task task) => _queue.Add(task);

    // run inline only on its own threads, which already have the lower priority
    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        _threads.Contains(Thread.CurrentThread) && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => [.. _queue];

    public void Dispose() => _queue.CompleteAdding();

    private const int ProcessScope = 0; // PRIO_PROCESS

    [DllImport("libc", EntryPoint = "setpriority", SetLastError = true)]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();
}
