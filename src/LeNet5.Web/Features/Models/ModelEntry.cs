namespace LeNet5.Web.Features.Models;

/// <summary>One loaded model: its id (the file name without extension), the network, and the bytes it was read from.</summary>
public sealed class ModelEntry(string id, string path, LeNet5Model model, byte[] fileBytes, DateTimeOffset loadedAt)
{
    public string Id { get; } = id;
    public string Path { get; } = path;
    public LeNet5Model Model { get; } = model;

    /// <summary>The file as it was read, so a download matches the model that answers.</summary>
    public ReadOnlyMemory<byte> FileBytes { get; } = fileBytes;

    public DateTimeOffset LoadedAt { get; } = loadedAt;
}
