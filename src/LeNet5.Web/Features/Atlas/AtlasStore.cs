using System.Runtime.InteropServices;

namespace LeNet5.Web.Features.Atlas;

/// <summary>
/// Fitted maps in the shared store, so a model's map is fitted once for every replica and restart:
/// the 10,000 places as floats (x and y per digit) beside the fingerprint they were fitted for.
/// </summary>
public sealed class AtlasStore(Database database)
{
    public float[]? Find(string modelId, string fingerprint)
    {
        var bytes = database.Query("SELECT embedding FROM atlases WHERE model_id = @id AND fingerprint = @fingerprint;",
            r => (byte[])r.GetValue(0), ("@id", modelId), ("@fingerprint", fingerprint)).FirstOrDefault();
        return bytes is null ? null : MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }

    /// <summary>Keeps a fitted map; two replicas that fit the same model at once write the same bytes, so the last one wins harmlessly.</summary>
    public void Save(string modelId, string fingerprint, float[] embedding) =>
        database.Execute("""
            INSERT INTO atlases (model_id, fingerprint, embedding) VALUES (@id, @fingerprint, @embedding)
            ON CONFLICT (model_id) DO UPDATE SET fingerprint = excluded.fingerprint, embedding = excluded.embedding;
            """, ("@id", modelId), ("@fingerprint", fingerprint), ("@embedding", MemoryMarshal.AsBytes(embedding.AsSpan()).ToArray()));
}
