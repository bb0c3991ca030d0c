namespace LeNet5.Web.Features.Models;

/// <summary>
/// One loaded model: its id (the file name without extension, or the row's id), the network, and the
/// bytes it was read from. A trained model lives in the database's models table, which every replica
/// reads; a shipped one is a file of the models folder, which is this replica's own.
/// </summary>
public sealed class ModelEntry(string id, string path, LeNet5Model model, byte[] fileBytes, DateTimeOffset loadedAt, string? rowCreatedAt = null)
{
    public string Id { get; } = id;

    /// <summary>Where it was read from, for logs: the file, or <c>database:models/{id}</c> for a stored model.</summary>
    public string Path { get; } = path;

    public LeNet5Model Model { get; } = model;

    /// <summary>The file as it was read, so a download matches the model that answers.</summary>
    public ReadOnlyMemory<byte> FileBytes { get; } = fileBytes;

    public DateTimeOffset LoadedAt { get; } = loadedAt;

    /// <summary>
    /// The created_at of the row it was read from (null for a file): a replica reloads the model when
    /// the row's differs, which is how a re-published model of the same id reaches every replica.
    /// </summary>
    public string? RowCreatedAt { get; } = rowCreatedAt;

    /// <summary>Whether it lives in the database (a trained model) rather than in a file of the models folder.</summary>
    public bool InDatabase => RowCreatedAt is not null;
}
