using System.Data.Common;
using static LeNet5.Web.Infrastructure.Data.Database;

namespace LeNet5.Web.Features.Training;

/// <summary>A training run as the database keeps it.</summary>
public sealed record RunRecord(
    long Id,
    string SettingsJson,
    RunStatus Status,
    int Epochs,
    int CompletedEpochs,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? ModelId,
    double? TestAccuracy,
    string? Error,
    string? LossCurveJson,
    string? InputsJson = null,
    string? Trainer = null,
    DateTimeOffset? LeaseUntil = null,
    bool CancelRequested = false,
    bool Publishing = false,
    string? ProgressJson = null)
{
    /// <summary>
    /// The settings it trains with: every field filled in, as <see cref="TrainingRequest.Plan"/> resolved
    /// them when the run was created (rows from the first versions may leave fields to the network's recipe).
    /// </summary>
    public TrainingSettings Settings => JsonSerializer.Deserialize<TrainingSettings>(SettingsJson, WebJson.Options)!;

    /// <summary>The progress its trainer last reported (while it runs), or null.</summary>
    public LiveProgress? Progress => ProgressJson is { } json ? JsonSerializer.Deserialize<LiveProgress>(json, WebJson.Options) : null;

    /// <summary>The corrections and base model it trains with.</summary>
    public RunInputs Inputs => InputsJson is { } json ? JsonSerializer.Deserialize<RunInputs>(json, WebJson.Options) ?? RunInputs.None : RunInputs.None;
}

/// <summary>A misclassified MNIST test digit of a finished run.</summary>
public sealed record MistakeRecord(int TestIndex, int Label, int Predicted);

/// <summary>
/// The training runs in the database: their settings and state, per-epoch metrics, checkpoints,
/// confusion matrix and mistakes. A run's row is the one owner of its state: every transition is one
/// conditional statement (or one transaction), so two replicas asking at once cannot both win, and a
/// trainer that lost its claim can no longer write to the run.
/// </summary>
public sealed class RunStore(Database database)
{
    private const string RunColumns =
        "id, settings, status, epochs, completed_epochs, created_at, started_at, finished_at, model_id, test_accuracy, error, loss_curve, inputs, " +
        "trainer, lease_until, cancel_requested, publishing, progress";

    /// <summary>A new queued run; null when another run is queued or running (the database's unique index says so, whichever replica asked).</summary>
    public long? CreateRun(string settingsJson, int epochs, DateTimeOffset now, string? inputsJson = null)
    {
        try
        {
            return Convert.ToInt64(database.Scalar(
                "INSERT INTO runs (settings, status, epochs, created_at, inputs) VALUES (@settings, @status, @epochs, @now, @inputs) RETURNING id;",
                ("@settings", settingsJson), ("@status", Word(RunStatus.Queued)), ("@epochs", epochs), ("@now", Time(now)), ("@inputs", inputsJson)), CultureInfo.InvariantCulture);
        }
        catch (DbException ex) when (IsUniqueViolation(ex))
        {
            return null;
        }
    }

    /// <summary>The run queued or running, if any.</summary>
    public RunRecord? ActiveRun() =>
        QueryRuns($"SELECT {RunColumns} FROM runs WHERE status IN (@queued, @running) ORDER BY id LIMIT 1;",
            ("@queued", Word(RunStatus.Queued)), ("@running", Word(RunStatus.Running))).FirstOrDefault();

    /// <summary>Records the run's inputs (the drawings it froze when it first started).</summary>
    public void SetInputs(long id, RunInputs inputs) =>
        database.Execute("UPDATE runs SET inputs = @inputs WHERE id = @id;", ("@inputs", JsonSerializer.Serialize(inputs, WebJson.Options)), ("@id", id));

    public RunRecord? GetRun(long id) => QueryRuns($"SELECT {RunColumns} FROM runs WHERE id = @id;", ("@id", id)).FirstOrDefault();

    /// <summary>Up to <paramref name="limit"/> runs older than <paramref name="before"/> (all when null), newest first.</summary>
    public IReadOnlyList<RunRecord> ListRuns(int limit, long? before = null) =>
        QueryRuns($"SELECT {RunColumns} FROM runs WHERE id < @before ORDER BY id DESC LIMIT @limit;", ("@before", before ?? long.MaxValue), ("@limit", limit));

    /// <summary>
    /// A run goes back in the queue (resume), possibly with a new epoch count, if it is still in a state
    /// it can be resumed from; false when it is not, null when another run is queued or running.
    /// </summary>
    public bool? Requeue(long id, int epochs)
    {
        try
        {
            return database.Execute(
                "UPDATE runs SET status = @queued, epochs = @epochs, error = NULL, finished_at = NULL, trainer = NULL, lease_until = NULL, " +
                "cancel_requested = 0, publishing = 0, progress = NULL WHERE id = @id AND status IN (@interrupted, @canceled, @failed);",
                ("@queued", Word(RunStatus.Queued)), ("@epochs", epochs), ("@id", id),
                ("@interrupted", Word(RunStatus.Interrupted)), ("@canceled", Word(RunStatus.Canceled)), ("@failed", Word(RunStatus.Failed))) == 1;
        }
        catch (DbException ex) when (IsUniqueViolation(ex))
        {
            return null;
        }
    }

    /// <summary>Cancels the run if it is still queued (no trainer has claimed it); false otherwise.</summary>
    public bool CancelQueued(long id, DateTimeOffset now) =>
        database.Execute("UPDATE runs SET status = @canceled, finished_at = @now WHERE id = @id AND status = @queued;",
            ("@canceled", Word(RunStatus.Canceled)), ("@now", Time(now)), ("@id", id), ("@queued", Word(RunStatus.Queued))) == 1;

    /// <summary>Asks the trainer of a running run to stop after its current batch; false when it is not running or already publishing.</summary>
    public bool RequestCancel(long id) =>
        database.Execute("UPDATE runs SET cancel_requested = 1 WHERE id = @id AND status = @running AND publishing = 0;",
            ("@id", id), ("@running", Word(RunStatus.Running))) == 1;

    /// <summary>
    /// Claims the oldest run that needs a trainer for <paramref name="trainer"/>, for a lease until
    /// <paramref name="leaseUntil"/>: a queued run, or a running one whose trainer's lease ran out
    /// (it died). With <paramref name="takeAnyRunning"/> (one replica alone on its database) a running
    /// run is taken whatever its lease: no one else can be training it. Null when there is none.
    /// </summary>
    public long? Claim(string trainer, DateTimeOffset now, DateTimeOffset leaseUntil, bool takeAnyRunning)
    {
        const string Claimable = "(status = @queued OR (status = @running AND (lease_until IS NULL OR lease_until < @now OR @any = 1)))";
        var id = database.Scalar(
            $"UPDATE runs SET status = @running, trainer = @trainer, lease_until = @until, started_at = COALESCE(started_at, @now), publishing = 0, progress = NULL " +
            $"WHERE id = (SELECT id FROM runs WHERE {Claimable} ORDER BY id LIMIT 1 {database.ForUpdateSkipLocked}) AND {Claimable} RETURNING id;",
            ("@queued", Word(RunStatus.Queued)), ("@running", Word(RunStatus.Running)), ("@now", Time(now)), ("@any", takeAnyRunning ? 1 : 0),
            ("@trainer", trainer), ("@until", Time(leaseUntil)));
        return id is null ? null : Convert.ToInt64(id, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The trainer's heartbeat: extends its lease and records its progress and loss curve. Null when it
    /// no longer holds the run (another replica took it over); else whether a cancel was asked.
    /// </summary>
    public bool? Renew(long id, string trainer, DateTimeOffset leaseUntil, string? progressJson, string? lossCurveJson)
    {
        var cancel = database.Scalar(
            "UPDATE runs SET lease_until = @until, progress = COALESCE(@progress, progress), loss_curve = COALESCE(@curve, loss_curve) " +
            "WHERE id = @id AND trainer = @trainer AND status = @running RETURNING cancel_requested;",
            ("@until", Time(leaseUntil)), ("@progress", progressJson), ("@curve", lossCurveJson), ("@id", id), ("@trainer", trainer), ("@running", Word(RunStatus.Running)));
        return cancel is null ? null : Convert.ToInt64(cancel, CultureInfo.InvariantCulture) != 0;
    }

    /// <summary>The trainer hands its run back to the queue (it is shutting down); another replica, or this one when it returns, continues it from its checkpoint.</summary>
    public bool HandBack(long id, string trainer) =>
        database.Execute("UPDATE runs SET status = @queued, trainer = NULL, lease_until = NULL, progress = NULL, publishing = 0 " +
                         "WHERE id = @id AND trainer = @trainer AND status = @running;",
            ("@queued", Word(RunStatus.Queued)), ("@id", id), ("@trainer", trainer), ("@running", Word(RunStatus.Running))) == 1;

    /// <summary>Training is over and the model is about to be written: from now on a cancel is refused. False when a cancel came first or the claim is lost.</summary>
    public bool BeginPublishing(long id, string trainer) =>
        database.Execute("UPDATE runs SET publishing = 1 WHERE id = @id AND trainer = @trainer AND status = @running AND cancel_requested = 0;",
            ("@id", id), ("@trainer", trainer), ("@running", Word(RunStatus.Running))) == 1;

    /// <summary>How a run ended (failed or canceled), written only while <paramref name="trainer"/> holds it.</summary>
    public bool MarkFinished(long id, string trainer, RunStatus status, DateTimeOffset now, string? error = null) =>
        database.Execute("UPDATE runs SET status = @s, finished_at = @now, error = @error, lease_until = NULL, progress = NULL " +
                         "WHERE id = @id AND trainer = @trainer AND status = @running;",
            ("@s", Word(status)), ("@now", Time(now)), ("@error", error), ("@id", id), ("@trainer", trainer), ("@running", Word(RunStatus.Running))) == 1;

    /// <summary>The run's last checkpoint in the shared store, or null.</summary>
    public byte[]? GetCheckpoint(long id) => database.Scalar("SELECT bytes FROM checkpoints WHERE run_id = @id;", ("@id", id)) as byte[];

    public bool HasCheckpoint(long id) => database.Scalar("SELECT 1 FROM checkpoints WHERE run_id = @id;", ("@id", id)) is not null;

    /// <summary>
    /// An epoch has ended: its metrics, the loss curve so far and the checkpoint that ends it, in one
    /// transaction, written only while <paramref name="trainer"/> holds the run (false when it lost it).
    /// </summary>
    public bool RecordEpoch(long id, string trainer, DateTimeOffset leaseUntil, EpochMetrics epoch, string lossCurveJson, byte[] checkpoint)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        if (!StillHolds(connection, transaction, id, trainer, leaseUntil)) return false;
        WriteEpochs(connection, transaction, id, [epoch], lossCurveJson);
        Execute(connection, transaction,
            "INSERT INTO checkpoints (run_id, epoch, bytes) VALUES (@id, @epoch, @bytes) ON CONFLICT (run_id) DO UPDATE SET epoch = excluded.epoch, bytes = excluded.bytes;",
            ("@id", id), ("@epoch", epoch.Epoch), ("@bytes", checkpoint));
        transaction.Commit();
        return true;
    }

    /// <summary>
    /// Within a write, whether <paramref name="trainer"/> still holds the run, extending its lease: an
    /// update, so on PostgreSQL the row stays locked until the write commits and no claim slips in between.
    /// </summary>
    private bool StillHolds(DbConnection connection, DbTransaction transaction, long id, string trainer, DateTimeOffset leaseUntil) =>
        Execute(connection, transaction, "UPDATE runs SET lease_until = @until WHERE id = @id AND trainer = @trainer AND status = @running;",
            ("@until", Time(leaseUntil)), ("@id", id), ("@trainer", trainer), ("@running", Word(RunStatus.Running))) == 1;

    /// <summary>Writes the epochs (replacing any of the same number) and the loss curve so far.</summary>
    private void WriteEpochs(DbConnection connection, DbTransaction transaction, long id, IEnumerable<EpochMetrics> epochs, string lossCurveJson)
    {
        int completed = 0;
        foreach (var e in epochs)
        {
            Execute(connection, transaction,
                """
                INSERT INTO epochs (run_id, epoch, train_error, test_error, loss, images_per_second, seconds, epsilon, learning_rates, corrections_test_error)
                VALUES (@id, @epoch, @train, @test, @loss, @ips, @seconds, @epsilon, @rates, @corrections)
                ON CONFLICT (run_id, epoch) DO UPDATE SET train_error = excluded.train_error, test_error = excluded.test_error, loss = excluded.loss,
                    images_per_second = excluded.images_per_second, seconds = excluded.seconds, epsilon = excluded.epsilon,
                    learning_rates = excluded.learning_rates, corrections_test_error = excluded.corrections_test_error;
                """,
                ("@id", id), ("@epoch", e.Epoch), ("@train", e.TrainError), ("@test", e.TestError), ("@loss", e.Loss), ("@corrections", e.CorrectionsTestError),
                ("@ips", e.ImagesPerSecond), ("@seconds", e.Seconds), ("@epsilon", e.Epsilon), ("@rates", JsonSerializer.Serialize(e.LearningRates)));
            completed = Math.Max(completed, e.Epoch);
        }
        Execute(connection, transaction, $"UPDATE runs SET completed_epochs = {database.Greatest("completed_epochs", "@c")}, loss_curve = @curve WHERE id = @id;",
            ("@c", completed), ("@curve", lossCurveJson), ("@id", id));
    }

    public IReadOnlyList<EpochMetrics> GetEpochs(long id) => GetEpochs(id, id).GetValueOrDefault(id) ?? [];

    /// <summary>The epochs of every run from <paramref name="first"/> to <paramref name="last"/>, in one query, by run.</summary>
    public Dictionary<long, List<EpochMetrics>> GetEpochs(long first, long last)
    {
        var byRun = new Dictionary<long, List<EpochMetrics>>();
        foreach (var (run, epoch) in Query(
            "SELECT run_id, epoch, train_error, test_error, loss, images_per_second, seconds, epsilon, learning_rates, corrections_test_error FROM epochs " +
            "WHERE run_id BETWEEN @first AND @last ORDER BY run_id, epoch;",
            r => (Long(r, 0), new EpochMetrics(Int(r, 1), r.GetDouble(2), r.GetDouble(3), r.GetDouble(4), r.GetDouble(5), r.GetDouble(6), r.GetDouble(7),
                JsonSerializer.Deserialize<Dictionary<string, double>>(r.GetString(8)) ?? [], r.IsDBNull(9) ? null : r.GetDouble(9))),
            ("@first", first), ("@last", last)))
        {
            if (!byRun.TryGetValue(run, out var list)) byRun[run] = list = [];
            list.Add(epoch);
        }
        return byRun;
    }

    /// <summary>The end of a run: its model, accuracy, confusion matrix (rows: true label) and mistakes, all at once.</summary>
    public bool Complete(long id, string trainer, DateTimeOffset leaseUntil, string modelId, double accuracy, int[][] confusion, IReadOnlyList<MistakeRecord> mistakes, DateTimeOffset now)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        if (!StillHolds(connection, transaction, id, trainer, leaseUntil)) return false;
        Execute(connection, transaction, "DELETE FROM mistakes WHERE run_id = @id;", ("@id", id));
        for (int i = 0; i < mistakes.Count; i++)
        {
            Execute(connection, transaction,
                "INSERT INTO mistakes (run_id, position, test_index, label, predicted) VALUES (@id, @p, @index, @label, @predicted);",
                ("@id", id), ("@p", i), ("@index", mistakes[i].TestIndex), ("@label", mistakes[i].Label), ("@predicted", mistakes[i].Predicted));
        }
        Execute(connection, transaction,
            """
            UPDATE runs SET status = @s, finished_at = @now, error = NULL, model_id = @model, test_accuracy = @accuracy, confusion = @confusion,
                lease_until = NULL, progress = NULL
            WHERE id = @id;
            """,
            ("@s", Word(RunStatus.Completed)), ("@now", Time(now)), ("@model", modelId), ("@accuracy", accuracy),
            ("@confusion", JsonSerializer.Serialize(confusion)), ("@id", id));
        Execute(connection, transaction, "DELETE FROM checkpoints WHERE run_id = @id;", ("@id", id));
        transaction.Commit();
        return true;
    }

    public int[][]? GetConfusion(long id) =>
        database.Scalar("SELECT confusion FROM runs WHERE id = @id;", ("@id", id)) is string json ? JsonSerializer.Deserialize<int[][]>(json) : null;

    public IReadOnlyList<MistakeRecord> GetMistakes(long id, int limit) => Query(
        "SELECT test_index, label, predicted FROM mistakes WHERE run_id = @id ORDER BY position LIMIT @limit;",
        r => new MistakeRecord(Int(r, 0), Int(r, 1), Int(r, 2)),
        ("@id", id), ("@limit", limit));

    private IReadOnlyList<RunRecord> QueryRuns(string sql, params (string Name, object? Value)[] parameters) => Query(sql,
        r => new RunRecord(Long(r, 0), r.GetString(1), Tokens.Parse<RunStatus>(r.GetString(2)), Int(r, 3), Int(r, 4),
            ParseTime(r.GetString(5)), OptionalTime(r, 6), OptionalTime(r, 7),
            r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetDouble(9),
            OptionalString(r, 10), OptionalString(r, 11), OptionalString(r, 12),
            OptionalString(r, 13), OptionalTime(r, 14), Int(r, 15) != 0, Int(r, 16) != 0, OptionalString(r, 17)),
        parameters);

    private List<T> Query<T>(string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters) => database.Query(sql, read, parameters);

    /// <summary>A status as the database stores it: its lower-case name.</summary>
    private static string Word(RunStatus status) => Tokens.Of(status);

    private static DateTimeOffset? OptionalTime(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : ParseTime(reader.GetString(column));
}
