namespace LeNet5.Web.Features.Training;

/// <summary>Where each run's checkpoint lives: <c>{Data:Directory}/checkpoints/run-ID.checkpoint.safetensors</c>.</summary>
public sealed class RunCheckpoints(Database database)
{
    public string DirectoryPath { get; } = Path.Combine(database.DirectoryPath, "checkpoints");

    public string PathOf(long id) => Path.Combine(DirectoryPath, $"run-{id}.checkpoint.safetensors");

    public bool Exists(long id) => File.Exists(PathOf(id));
}
