namespace LeNet5.Web.Features.Training;

/// <summary>
/// A run's checkpoint has two homes: the shared store (the <c>checkpoints</c> table, written with each
/// epoch, so any replica can continue the run) and a scratch copy the engine reads and writes while
/// this replica trains it: <c>{Data:Directory}/checkpoints/run-ID.checkpoint.safetensors</c>.
/// </summary>
public sealed class RunCheckpoints(Database database, RunStore store)
{
    public string DirectoryPath { get; } = Path.Combine(database.DirectoryPath, "checkpoints");

    public string PathOf(long id) => Path.Combine(DirectoryPath, $"run-{id}.checkpoint.safetensors");

    /// <summary>
    /// Makes the scratch copy the shared store's checkpoint (written atomically), or removes a stale
    /// copy when the store has none; returns whether there is one to resume from.
    /// </summary>
    public bool Restore(long id)
    {
        var path = PathOf(id);
        if (store.GetCheckpoint(id) is { } bytes)
        {
            Directory.CreateDirectory(DirectoryPath);
            SafeTensors.WriteAtomic(path, bytes);
            return true;
        }
        DeleteScratch(id);
        return false;
    }

    /// <summary>The scratch copy is no longer needed (the run ended, or another replica holds it).</summary>
    public void DeleteScratch(long id)
    {
        if (File.Exists(PathOf(id))) File.Delete(PathOf(id));
    }
}
