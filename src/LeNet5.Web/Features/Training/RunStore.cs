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
    string? InputsJson = null)
{
    /// <summary>
    /// The settings it trains with: every field filled in, as <see cref="TrainingRequest.Plan"/> resolved
    /// them when the run was created (rows from the first versions may leave fields to the network's recipe).
    /// </summary>
    public TrainingSettings Settings => JsonSerializer.Deserialize<TrainingSettings>(SettingsJson, WebJson.Options)!;

    /// <summary>The corrections and base model it trains with.</summary>
    public RunInputs Inputs => InputsJson is { } json ? JsonSerializer.Deserialize<RunInputs>(json, WebJson.Options) ?? RunInputs.None : RunInputs.None;
}

/// <summary>A misclassified MNIST test digit of a finished run.</summary>
public sealed record MistakeRecord(int TestIndex, int Label, int Predicted);

/// <summary>The training runs in the database: their settings and state, per-epoch metrics, confusion matrix and mistakes.</summary>
public sealed class RunStore(Database database)
{
    private const string RunColumns =
        "id, settings, status, epochs, completed_epochs, created_at, started_at, finished_at, model_id, test_accuracy, error, loss_curve, inputs";

    /// <summary>Runs left queued or running by a previous process become interrupted; returns how many.</summary>
    public int MarkInterrupted() =>
        database.Execute("UPDATE runs SET status = @s WHERE status IN (@queued, @running);",
            ("@s", Word(RunStatus.Interrupted)), ("@queued", Word(RunStatus.Queued)), ("@running", Word(RunStatus.Running)));

    public long CreateRun(string settingsJson, int epochs, DateTimeOffset now, string? inputsJson = null) =>
        Convert.ToInt64(database.Scalar(
            "INSERT INTO runs (settings, status, epochs, created_at, inputs) VALUES (@settings, @status, @epochs, @now, @inputs) RETURNING id;",
            ("@settings", settingsJson), ("@status", Word(RunStatus.Queued)), ("@epochs", epochs), ("@now", Time(now)), ("@inputs", inputsJson)), CultureInfo.InvariantCulture);

    /// <summary>Records the run's inputs (the drawings it froze when it first started).</summary>
    public void SetInputs(long id, RunInputs inputs) =>
        database.Execute("UPDATE runs SET inputs = @inputs WHERE id = @id;", ("@inputs", JsonSerializer.Serialize(inputs, WebJson.Options)), ("@id", id));

    public RunRecord? GetRun(long id) => QueryRuns($"SELECT {RunColumns} FROM runs WHERE id = @id;", ("@id", id)).FirstOrDefault();

    /// <summary>Up to <paramref name="limit"/> runs older than <paramref name="before"/> (all when null), newest first.</summary>
    public IReadOnlyList<RunRecord> ListRuns(int limit, long? before = null) =>
        QueryRuns($"SELECT {RunColumns} FROM runs WHERE id < @before ORDER BY id DESC LIMIT @limit;", ("@before", before ?? long.MaxValue), ("@limit", limit));

    /// <summary>A run goes back in the queue (resume), possibly with a new epoch count.</summary>
    public void MarkQueued(long id, int epochs) =>
        database.Execute("UPDATE runs SET status = @s, epochs = @epochs, error = NULL, finished_at = NULL WHERE id = @id;",
            ("@s", Word(RunStatus.Queued)), ("@epochs", epochs), ("@id", id));

    public void MarkStarted(long id, DateTimeOffset now) =>
        database.Execute("UPDATE runs SET status = @s, started_at = COALESCE(started_at, @now) WHERE id = @id;",
            ("@s", Word(RunStatus.Running)), ("@now", Time(now)), ("@id", id));

    public void MarkFinished(long id, RunStatus status, DateTimeOffset now, string? error = null) =>
        database.Execute("UPDATE runs SET status = @s, finished_at = @now, error = @error WHERE id = @id;",
            ("@s", Word(status)), ("@now", Time(now)), ("@error", error), ("@id", id));

    /// <summary>Records the epochs (replacing any of the same number) and the loss curve so far, in one transaction.</summary>
    public void RecordEpochs(long id, IEnumerable<EpochMetrics> epochs, string lossCurveJson)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
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
        transaction.Commit();
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
    public void Complete(long id, string modelId, double accuracy, int[][] confusion, IReadOnlyList<MistakeRecord> mistakes, DateTimeOffset now)
    {
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, "DELETE FROM mistakes WHERE run_id = @id;", ("@id", id));
        for (int i = 0; i < mistakes.Count; i++)
        {
            Execute(connection, transaction,
                "INSERT INTO mistakes (run_id, position, test_index, label, predicted) VALUES (@id, @p, @index, @label, @predicted);",
                ("@id", id), ("@p", i), ("@index", mistakes[i].TestIndex), ("@label", mistakes[i].Label), ("@predicted", mistakes[i].Predicted));
        }
        Execute(connection, transaction,
            """
            UPDATE runs SET status = @s, finished_at = @now, error = NULL, model_id = @model, test_accuracy = @accuracy, confusion = @confusion
            WHERE id = @id;
            """,
            ("@s", Word(RunStatus.Completed)), ("@now", Time(now)), ("@model", modelId), ("@accuracy", accuracy),
            ("@confusion", JsonSerializer.Serialize(confusion)), ("@id", id));
        transaction.Commit();
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
            r.IsDBNull(10) ? null : r.GetString(10), r.IsDBNull(11) ? null : r.GetString(11), r.IsDBNull(12) ? null : r.GetString(12)),
        parameters);

    private List<T> Query<T>(string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters) => database.Query(sql, read, parameters);

    /// <summary>A status as the database stores it: its lower-case name.</summary>
    private static string Word(RunStatus status) => Tokens.Of(status);

    private static DateTimeOffset? OptionalTime(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : ParseTime(reader.GetString(column));
}
