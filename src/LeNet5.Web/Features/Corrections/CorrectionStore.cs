using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using static LeNet5.Web.Infrastructure.Data.Database;

namespace LeNet5.Web.Features.Corrections;

/// <summary>A contributed drawing as the database keeps it: no address, no account, nothing about who drew it.</summary>
public sealed record CorrectionRecord(
    long Id, int Label, CorrectionStatus Status, int Predicted, bool Rejected, float[] Probabilities, string ModelId,
    byte[] Pixels, string? StrokesJson, DateTimeOffset CreatedAt, DateTimeOffset? ReviewedAt);

/// <summary>What to list: each filter left null matches everything.</summary>
public sealed record CorrectionFilter(int? Label, int? Predicted, string? Model, CorrectionStatus? Status);

/// <summary>
/// The contributed drawings in the app's database. Each change is one statement or one transaction,
/// so a crash (even kill -9) leaves the old or the new state; a drawing is stored once, keyed by the
/// SHA-256 of its prepared 28x28.
/// </summary>
public sealed class CorrectionStore(Database database)
{
    private const string Columns = "id, label, status, predicted, rejected, probabilities, model_id, pixels, strokes, created_at, reviewed_at";

    /// <summary>Stores a drawing unless the same prepared 28x28 is stored already: its id, and whether it was new.</summary>
    public (long Id, bool Created) Add(int label, int predicted, bool rejected, float[] probabilities, string modelId, byte[] pixels, string? strokesJson, DateTimeOffset now)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(pixels));
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var inserted = Database.Scalar(connection, transaction,
            """
            INSERT INTO corrections (label, status, predicted, rejected, probabilities, model_id, pixels, pixels_sha256, strokes, created_at)
            VALUES ($label, $status, $predicted, $rejected, $probabilities, $model, $pixels, $hash, $strokes, $now)
            ON CONFLICT (pixels_sha256) DO NOTHING RETURNING id;
            """,
            ("$label", label), ("$status", Word(CorrectionStatus.Pending)), ("$predicted", predicted), ("$rejected", rejected ? 1 : 0),
            ("$probabilities", JsonSerializer.Serialize(probabilities)), ("$model", modelId), ("$pixels", pixels), ("$hash", hash),
            ("$strokes", strokesJson), ("$now", Time(now)));
        var result = inserted is null
            ? (Convert.ToInt64(Database.Scalar(connection, transaction, "SELECT id FROM corrections WHERE pixels_sha256 = $hash;", ("$hash", hash)), CultureInfo.InvariantCulture), false)
            : (Convert.ToInt64(inserted, CultureInfo.InvariantCulture), true);
        transaction.Commit();
        return result;
    }

    public CorrectionRecord? Get(long id) => Query($"SELECT {Columns} FROM corrections WHERE id = $id;", ("$id", id)).FirstOrDefault();

    /// <summary>Up to <paramref name="limit"/> drawings matching the filter older than <paramref name="before"/>, newest first, and how many match in all.</summary>
    public (IReadOnlyList<CorrectionRecord> Items, int Total) List(CorrectionFilter filter, int limit, long? before)
    {
        const string Where = "($label IS NULL OR label = $label) AND ($predicted IS NULL OR predicted = $predicted) " +
                             "AND ($model IS NULL OR model_id = $model) AND ($status IS NULL OR status = $status)";
        (string, object?)[] parameters =
        [
            ("$label", filter.Label), ("$predicted", filter.Predicted), ("$model", filter.Model),
            ("$status", filter.Status is { } s ? Word(s) : null), ("$before", before ?? long.MaxValue), ("$limit", limit),
        ];
        var items = Query($"SELECT {Columns} FROM corrections WHERE {Where} AND id < $before ORDER BY id DESC LIMIT $limit;", parameters);
        int total = Convert.ToInt32(database.Scalar($"SELECT COUNT(*) FROM corrections WHERE {Where};", parameters), CultureInfo.InvariantCulture);
        return (items, total);
    }

    /// <summary>Per label, how many drawings are in each state (the ids too, to count the accepted test drawings).</summary>
    public IReadOnlyList<(long Id, int Label, CorrectionStatus Status)> Census()
    {
        using var connection = database.Open();
        using var command = Command(connection, null, "SELECT id, label, status FROM corrections;");
        using var reader = command.ExecuteReader();
        var rows = new List<(long, int, CorrectionStatus)>();
        while (reader.Read()) rows.Add((reader.GetInt64(0), reader.GetInt32(1), Tokens.Parse<CorrectionStatus>(reader.GetString(2))));
        return rows;
    }

    /// <summary>A reviewer's verdict: the new state (and label, when given); false when there is no such drawing.</summary>
    public bool Review(long id, CorrectionStatus status, int? label, DateTimeOffset now) =>
        database.Execute("UPDATE corrections SET status = $status, label = COALESCE($label, label), reviewed_at = $now WHERE id = $id;",
            ("$status", Word(status)), ("$label", label), ("$now", Time(now)), ("$id", id)) == 1;

    public bool Delete(long id) => database.Execute("DELETE FROM corrections WHERE id = $id;", ("$id", id)) == 1;

    /// <summary>Every accepted drawing, oldest first.</summary>
    public IReadOnlyList<CorrectionRecord> Accepted() =>
        Query($"SELECT {Columns} FROM corrections WHERE status = $status ORDER BY id;", ("$status", Word(CorrectionStatus.Accepted)));

    /// <summary>The accepted drawings among <paramref name="ids"/> (a run's frozen set), oldest first.</summary>
    public IReadOnlyList<CorrectionRecord> Accepted(IReadOnlyList<long> ids) =>
        Query($"SELECT {Columns} FROM corrections WHERE status = $status AND id IN (SELECT value FROM json_each($ids)) ORDER BY id;",
            ("$status", Word(CorrectionStatus.Accepted)), ("$ids", JsonSerializer.Serialize(ids)));

    private static string Word(CorrectionStatus status) => Tokens.Of(status);

    private List<CorrectionRecord> Query(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = database.Open();
        using var command = Command(connection, null, sql, parameters);
        using var reader = command.ExecuteReader();
        var result = new List<CorrectionRecord>();
        while (reader.Read()) result.Add(Read(reader));
        return result;
    }

    private static CorrectionRecord Read(SqliteDataReader r) => new(
        r.GetInt64(0), r.GetInt32(1), Tokens.Parse<CorrectionStatus>(r.GetString(2)), r.GetInt32(3), r.GetInt32(4) != 0,
        JsonSerializer.Deserialize<float[]>(r.GetString(5)) ?? [], r.GetString(6), (byte[])r.GetValue(7),
        r.IsDBNull(8) ? null : r.GetString(8), ParseTime(r.GetString(9)), r.IsDBNull(10) ? null : ParseTime(r.GetString(10)));
}
