using System.Security.Cryptography;
using System.Text;
using System.Data.Common;
using static LeNet5.Web.Infrastructure.Data.Database;

namespace LeNet5.Web.Features.Corrections;

/// <summary>
/// A contributed drawing as the database keeps it: no address, no account; of who drew it only a keyed
/// hash of the client, which nothing reads but the daily cap's count.
/// </summary>
public sealed record CorrectionRecord(
    long Id, int Label, CorrectionStatus Status, int Predicted, bool Rejected, float[] Probabilities, string ModelId,
    byte[] Pixels, string? StrokesJson, DateTimeOffset CreatedAt, DateTimeOffset? ReviewedAt);

/// <summary>What to list: each filter left null matches everything.</summary>
public sealed record CorrectionFilter(int? Label, int? Predicted, string? Model, CorrectionStatus? Status);

/// <summary>A new drawing as it is to be stored, with the key of the client that sent it (only its keyed hash is kept).</summary>
public sealed record NewCorrection(
    int Label, int Predicted, bool Rejected, float[] Probabilities, string ModelId, byte[] Pixels, string? StrokesJson, string ClientKey);

/// <summary>The caps a new drawing must fit under: drawings and bytes kept in all, and drawings per client in a day.</summary>
public sealed record CorrectionCaps(int MaxDrawings, long MaxStoredBytes, int MaxDrawingsPerClientPerDay);

/// <summary>What became of a drawing to store: stored, stored before (a duplicate), or refused by a cap with nothing stored.</summary>
public enum AddOutcome
{
    Stored,
    Duplicate,
    TooManyDrawings,
    TooManyBytes,
    ClientDayFull,
}

/// <summary>The outcome, the drawing's id when stored (or stored before), and when a client whose day is full has room again.</summary>
public readonly record struct CorrectionAddition(AddOutcome Outcome, long Id = 0, DateTimeOffset? RoomAt = null);

/// <summary>
/// The contributed drawings in the app's database. Each change is one statement or one transaction,
/// so a crash (even kill -9) leaves the old or the new state; a drawing is stored once, keyed by the
/// SHA-256 of its prepared 28x28, and only when it fits under the caps.
/// </summary>
public sealed class CorrectionStore(Database database)
{
    /// <summary>How far back a client's drawings count against its daily cap.</summary>
    private static readonly TimeSpan ClientDay = TimeSpan.FromHours(24);

    private const string Columns = "id, label, status, predicted, rejected, probabilities, model_id, pixels, strokes, created_at, reviewed_at";
    private const string ClientHashKey = "corrections.client_hash_key";

    private byte[]? _clientHashKey;

    /// <summary>
    /// Stores a drawing unless the same prepared 28x28 is stored already, or it does not fit under the
    /// caps. The caps are checked and the drawing inserted in one transaction that takes the write lock
    /// first, so concurrent contributions are counted one after another and never overshoot a cap.
    /// </summary>
    public CorrectionAddition Add(NewCorrection drawing, CorrectionCaps caps, DateTimeOffset now)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(drawing.Pixels));
        string probabilities = JsonSerializer.Serialize(drawing.Probabilities);
        long bytes = SizeOf(drawing.Pixels, drawing.StrokesJson, probabilities);
        string client = ClientHash(drawing.ClientKey);
        using var connection = database.Open();
        using var transaction = database.BeginWrite(connection, "corrections");
        if (Database.Scalar(connection, transaction, "SELECT id FROM corrections WHERE pixels_sha256 = @hash;", ("@hash", hash)) is { } earlier)
            return new(AddOutcome.Duplicate, Convert.ToInt64(earlier, CultureInfo.InvariantCulture));
        if (Refusal(connection, transaction, caps, bytes, client, now) is { } refused) return refused;
        var id = Database.Scalar(connection, transaction,
            """
            INSERT INTO corrections (label, status, predicted, rejected, probabilities, model_id, pixels, pixels_sha256, strokes, created_at, stored_bytes, client_hash)
            VALUES (@label, @status, @predicted, @rejected, @probabilities, @model, @pixels, @hash, @strokes, @now, @bytes, @client) RETURNING id;
            """,
            ("@label", drawing.Label), ("@status", Word(CorrectionStatus.Pending)), ("@predicted", drawing.Predicted), ("@rejected", drawing.Rejected ? 1 : 0),
            ("@probabilities", probabilities), ("@model", drawing.ModelId), ("@pixels", drawing.Pixels), ("@hash", hash),
            ("@strokes", drawing.StrokesJson), ("@now", Time(now)), ("@bytes", bytes), ("@client", client));
        transaction.Commit();
        return new(AddOutcome.Stored, Convert.ToInt64(id, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The bytes a drawing counts against <see cref="CorrectionCaps.MaxStoredBytes"/>: its pixels, strokes
    /// and probabilities as stored (the schema migration computes the same for older rows).
    /// </summary>
    private static long SizeOf(byte[] pixels, string? strokesJson, string probabilitiesJson) =>
        pixels.Length + (strokesJson is null ? 0 : Encoding.UTF8.GetByteCount(strokesJson)) + Encoding.UTF8.GetByteCount(probabilitiesJson);

    /// <summary>How many drawings are kept and the bytes they count (both read from an index, not the rows).</summary>
    private static (int Drawings, long Bytes) Usage(DbConnection connection, DbTransaction transaction)
    {
        using var command = Command(connection, transaction, "SELECT COUNT(*), COALESCE(SUM(stored_bytes), 0) FROM corrections;");
        using var reader = command.ExecuteReader();
        reader.Read();
        return (Int(reader, 0), Long(reader, 1));
    }

    /// <summary>The refusal when the drawing does not fit under a cap, or null when it does.</summary>
    private static CorrectionAddition? Refusal(DbConnection connection, DbTransaction transaction, CorrectionCaps caps, long bytes, string client, DateTimeOffset now)
    {
        var (drawings, stored) = Usage(connection, transaction);
        if (drawings >= caps.MaxDrawings) return new(AddOutcome.TooManyDrawings);
        if (stored + bytes > caps.MaxStoredBytes) return new(AddOutcome.TooManyBytes);
        (string, object?)[] today = [("@client", client), ("@since", Time(now - ClientDay))];
        int sent = Convert.ToInt32(Database.Scalar(connection, transaction, "SELECT COUNT(*) FROM corrections WHERE client_hash = @client AND created_at > @since;", today),
            CultureInfo.InvariantCulture);
        if (sent < caps.MaxDrawingsPerClientPerDay) return null;
        // room comes when enough of the day's drawings are a day old to leave one fewer than the cap
        var leaving = Database.Scalar(connection, transaction,
            "SELECT created_at FROM corrections WHERE client_hash = @client AND created_at > @since ORDER BY created_at LIMIT 1 OFFSET @excess;",
            [.. today, ("@excess", sent - caps.MaxDrawingsPerClientPerDay)]);
        return new(AddOutcome.ClientDayFull, RoomAt: ParseTime((string)leaving!) + ClientDay);
    }

    /// <summary>
    /// The client key as kept: an HMAC under a random key of this database's own, so the table holds no
    /// address and its hashes cannot be matched against a list of addresses without that key.
    /// </summary>
    private string ClientHash(string clientKey)
    {
        _clientHashKey ??= LoadClientHashKey();
        return Convert.ToHexStringLower(HMACSHA256.HashData(_clientHashKey, Encoding.UTF8.GetBytes(clientKey)));
    }

    private byte[] LoadClientHashKey()
    {
        database.Execute("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING;",
            ("@key", ClientHashKey), ("@value", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32))));
        return Convert.FromHexString((string)database.Scalar("SELECT value FROM settings WHERE key = @key;", ("@key", ClientHashKey))!);
    }

    public CorrectionRecord? Get(long id) => Query($"SELECT {Columns} FROM corrections WHERE id = @id;", ("@id", id)).FirstOrDefault();

    /// <summary>Up to <paramref name="limit"/> drawings matching the filter older than <paramref name="before"/>, newest first, and how many match in all.</summary>
    public (IReadOnlyList<CorrectionRecord> Items, int Total) List(CorrectionFilter filter, int limit, long? before)
    {
        // each optional filter is typed where it is tested for null: PostgreSQL cannot infer a null parameter's type from IS NULL
        const string Where = "(CAST(@label AS INTEGER) IS NULL OR label = @label) AND (CAST(@predicted AS INTEGER) IS NULL OR predicted = @predicted) " +
                             "AND (CAST(@model AS TEXT) IS NULL OR model_id = @model) AND (CAST(@status AS TEXT) IS NULL OR status = @status)";
        (string, object?)[] parameters =
        [
            ("@label", filter.Label), ("@predicted", filter.Predicted), ("@model", filter.Model),
            ("@status", filter.Status is { } s ? Word(s) : null), ("@before", before ?? long.MaxValue), ("@limit", limit),
        ];
        var items = Query($"SELECT {Columns} FROM corrections WHERE {Where} AND id < @before ORDER BY id DESC LIMIT @limit;", parameters);
        int total = Convert.ToInt32(database.Scalar($"SELECT COUNT(*) FROM corrections WHERE {Where};", parameters), CultureInfo.InvariantCulture);
        return (items, total);
    }

    /// <summary>Per label, how many drawings are in each state (the ids too, to count the accepted test drawings).</summary>
    public IReadOnlyList<(long Id, int Label, CorrectionStatus Status)> Census()
    {
        return database.Query("SELECT id, label, status FROM corrections;", r => (Long(r, 0), Int(r, 1), Tokens.Parse<CorrectionStatus>(r.GetString(2))));
    }

    /// <summary>A reviewer's verdict: the new state (and label, when given); false when there is no such drawing.</summary>
    public bool Review(long id, CorrectionStatus status, int? label, DateTimeOffset now) =>
        database.Execute("UPDATE corrections SET status = @status, label = COALESCE(@label, label), reviewed_at = @now WHERE id = @id;",
            ("@status", Word(status)), ("@label", label), ("@now", Time(now)), ("@id", id)) == 1;

    public bool Delete(long id) => database.Execute("DELETE FROM corrections WHERE id = @id;", ("@id", id)) == 1;

    /// <summary>
    /// Rejects or deletes, in one statement, the drawings in <paramref name="status"/> among <paramref name="ids"/>
    /// (either may be null for any); how many it changed (a drawing already rejected is not rejected again).
    /// </summary>
    public int Bulk(BulkAction action, CorrectionStatus? status, IReadOnlyList<long>? ids, DateTimeOffset now)
    {
        string Where = $"(CAST(@status AS TEXT) IS NULL OR status = @status) AND (CAST(@ids AS TEXT) IS NULL OR id IN ({database.IdsOf("@ids")}))";
        (string, object?)[] parameters =
        [
            ("@status", status is { } s ? Word(s) : null), ("@ids", ids is null ? null : JsonSerializer.Serialize(ids)),
            ("@rejected", Word(CorrectionStatus.Rejected)), ("@now", Time(now)),
        ];
        return action == BulkAction.Delete
            ? database.Execute($"DELETE FROM corrections WHERE {Where};", parameters)
            : database.Execute($"UPDATE corrections SET status = @rejected, reviewed_at = @now WHERE {Where} AND status <> @rejected;", parameters);
    }

    /// <summary>Every accepted drawing, oldest first.</summary>
    public IReadOnlyList<CorrectionRecord> Accepted() =>
        Query($"SELECT {Columns} FROM corrections WHERE status = @status ORDER BY id;", ("@status", Word(CorrectionStatus.Accepted)));

    /// <summary>The accepted drawings among <paramref name="ids"/> (a run's frozen set), oldest first.</summary>
    public IReadOnlyList<CorrectionRecord> Accepted(IReadOnlyList<long> ids) =>
        Query($"SELECT {Columns} FROM corrections WHERE status = @status AND id IN ({database.IdsOf("@ids")}) ORDER BY id;",
            ("@status", Word(CorrectionStatus.Accepted)), ("@ids", JsonSerializer.Serialize(ids)));

    private static string Word(CorrectionStatus status) => Tokens.Of(status);

    private List<CorrectionRecord> Query(string sql, params (string Name, object? Value)[] parameters) => database.Query(sql, Read, parameters);

    private static CorrectionRecord Read(DbDataReader r) => new(
        Long(r, 0), Int(r, 1), Tokens.Parse<CorrectionStatus>(r.GetString(2)), Int(r, 3), Int(r, 4) != 0,
        JsonSerializer.Deserialize<float[]>(r.GetString(5)) ?? [], r.GetString(6), (byte[])r.GetValue(7),
        r.IsDBNull(8) ? null : r.GetString(8), ParseTime(r.GetString(9)), r.IsDBNull(10) ? null : ParseTime(r.GetString(10)));
}
