namespace LeNet5.Core.Parallelism;

/// <summary>
/// A fixed team of threads that run one piece of work each, in lock step: the caller is worker 0,
/// and <see cref="Run"/> returns when every worker has finished. Unlike Parallel.For it allocates
/// nothing per call (the work delegate is created once by the caller), and worker i always gets
/// slice i, which is what makes gradient sums reproducible.
/// </summary>
public sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly Barrier _start;
    private readonly Barrier _done;
    private Action<int>? _work;
    private Exception? _failure;
    private volatile bool _stopping;

    public WorkerPool(int workers, string name = "lenet5-worker")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        Workers = workers;
        _start = new Barrier(workers);
        _done = new Barrier(workers);
        _threads = new Thread[workers - 1];
        for (int i = 0; i < _threads.Length; i++)
        {
            int index = i + 1;
            _threads[i] = new Thread(() => Loop(index)) { IsBackground = true, Name = $"{name}-{index}" };
            _threads[i].Start();
        }
    }

    public int Workers { get; }

    /// <summary>Runs <paramref name="work"/>(i) for i in 0..Workers-1, one per thread, and waits for all.</summary>
    public void Run(Action<int> work)
    {
        ObjectDisposedException.ThrowIf(_stopping, this);
        _work = work;
        _failure = null;
        _start.SignalAndWait();
        try
        {
            work(0);
        }
        catch (Exception ex)
        {
            _failure ??= ex;
        }
        _done.SignalAndWait();
        if (_failure is { } failure) throw new AggregateException(failure);
    }

    private void Loop(int index)
    {
        while (true)
        {
            _start.SignalAndWait();
            if (_stopping) return;
            try
            {
                _work!(index);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _failure, ex, null);
            }
            _done.SignalAndWait();
        }
    }

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        if (_threads.Length > 0) _start.SignalAndWait();
        foreach (var t in _threads) t.Join();
        _start.Dispose();
        _done.Dispose();
    }
}
