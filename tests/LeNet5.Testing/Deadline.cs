namespace LeNet5.Testing;

/// <summary>
/// Work a test waits for only so long: it runs on a thread of its own, so that code that hangs fails
/// the test by its deadline instead of hanging the suite (the thread is left behind, as a background thread).
/// </summary>
public static class Deadline
{
    public static async Task<T> Within<T>(TimeSpan deadline, string what, Func<T> work)
    {
        var task = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            return await task.WaitAsync(deadline);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{what} did not end within {deadline.TotalSeconds:0.#} s");
        }
    }

    public static Task Within(TimeSpan deadline, string what, Action work) => Within(deadline, what, () =>
    {
        work();
        return true;
    });
}
