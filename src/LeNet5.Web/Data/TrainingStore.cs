using System.Globalization;
using System.Text.Json;
using LeNet5.Core.Training;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace LeNet5.Web.Data;

/// <summary>A training run as the database keeps it.</summary>
public sealed record RunRecord(
    long Id,
    string SettingsJson,
    string Status,
    int Epochs,
    int CompletedEpochs,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? ModelId,
    double? TestAccuracy,
    string? Error,
    string? LossCurveJson);

/// <summary>A misclassified MNIST test digit of a finished run.</summary>
public sealed record MistakeRecord(int TestIndex, int Label, int Predicted);

/// <summary>
/// The embedded SQLite database (file <c>lenet5web.db</c> in the data folder): training runs, their
/// per-epoch metrics, confusion matrix and mistakes, and the active model. Created and migrated at
/// start-up; every change is one transaction, so a crash leaves either the old or the new state.
/// </summary>
public sealed class TrainingStore
{
    public const string FileName = "lenet5web.db";

    /// <summary>Schema migrations: entry i takes the schema from version i to i + 1. Append only.</summary>
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            settings TEXT NOT NULL,
            status TEXT NOT NULL,
            epochs INTEGER NOT NULL,
            completed_epochs INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            model_id TEXT,
            test_accuracy REAL,
            error TEXT,
            loss_curve TEXT,
            confusion TEXT);
        CREATE TABLE epochs (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            epoch INTEGER NOT NULL,
            train_error REAL NOT NULL,
            test_error REAL NOT NULL,
            loss REAL NOT NULL,
            images_per_second REAL NOT NULL,
            seconds REAL NOT NULL,
            epsilon REAL NOT NULL,
            learning_rates TEXT NOT NULL,
            PRIMARY KEY (run_id, epoch));
        CREATE TABLE mistakes (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            test_index INTEGER NOT NULL,
            label INTEGER NOT NULL,
            predicted INTEGER NOT NULL,
            PRIMARY KEY (run_id, position));
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
    ];

    private const string RunColumns =
        "id, settings, status, epochs, completed_epochs, created_at, started_at, finished_at, model_id, test_accuracy, error, loss_curve";

    private readonly string _connectionString;

    public TrainingStore(IOptions<DataOptions> options, IHostEnvironment environment)
    {
        DirectoryPath = options.Value.ResolveDirectory(environment.ContentRootPath);
        DatabasePath = Path.Combine(DirectoryPath, FileName);
        // no pooling: nothing holds the file open between operations (tests delete their data folder)
        _connectionString = new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false, ForeignKeys = true }.ToString();
    }

    public string DirectoryPath { get; }
    public string DatabasePath { get; }

    /// <summary>The schema version after <see cref="Migrate"/>.</summary>
    public static int SchemaVersion => Migrations.Length;

    /// <summary>Creates the data folder and the database, and applies the migrations it lacks.</summary>
    public void Migrate()
    {
        Directory.CreateDirectory(DirectoryPath);
        using var connection = Open();
        Execute(connection, null, "PRAGMA journal_mode = WAL;");
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        var current = Convert.ToInt32(Scalar(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version;"), CultureInfo.InvariantCulture);
        if (current > Migrations.Length)
            throw new InvalidOperationException($"{DatabasePath} has schema version {current}, newer than this app's {Migrations.Length}.");
        for (int v = current; v < Migrations.Length; v++)
        {
            Execute(connection, transaction, Migrations[v]);
        }
        Execute(connection, transaction, "DELETE FROM schema_version;");
        Execute(connection, transaction, "INSERT INTO schema_version (version) VALUES ($v);", ("$v", Migrations.Length));
        transaction.Commit();
    }

    /// <summary>Runs left queued or running by a previous process become interrupted; returns how many.</summary>
    public int MarkInterrupted() =>
        Update("UPDATE runs SET status = $s WHERE status IN ($queued, $running);",
            ("$s", RunStatus.Interrupted), ("$queued", RunStatus.Queued), ("$running", RunStatus.Running));

    public long CreateRun(string settingsJson, int epochs, DateTimeOffset now)
    {
        using var connection = Open();
        return Convert.ToInt64(Scalar(connection, null,
            "INSERT INTO runs (settings, status, epochs, created_at) VALUES ($settings, $status, $epochs, $now) RETURNING id;",
            ("$settings", settingsJson), ("$status", RunStatus.Queued), ("$epochs", epochs), ("$now", Time(now))), CultureInfo.InvariantCulture);
    }

    public RunRecord? GetRun(long id) => QueryRuns($"SELECT {RunColumns} FROM runs WHERE id = $id;", ("$id", id)).FirstOrDefault();

    /// <summary>All runs, newest first.</summary>
    public IReadOnlyList<RunRecord> ListRuns() => QueryRuns($"SELECT {RunColumns} FROM runs ORDER BY id DESC;");

    /// <summary>A run goes back in the queue (resume), possibly with a new epoch count.</summary>
    public void MarkQueued(long id, int epochs) =>
        Update("UPDATE runs SET status = $s, epochs = $epochs, error = NULL, finished_at = NULL WHERE id = $id;",
            ("$s", RunStatus.Queued), ("$epochs", epochs), ("$id", id));

    public void MarkStarted(long id, DateTimeOffset now) =>
        Update("UPDATE runs SET status = $s, started_at = COALESCE(started_at, $now) WHERE id = $id;",
            ("$s", RunStatus.Running), ("$now", Time(now)), ("$id", id));

    public void MarkFinished(long id, string status, DateTimeOffset now, string? error = null) =>
        Update("UPDATE runs SET status = $s, finished_at = $now, error = $error WHERE id = $id;",
            ("$s", status), ("$now", Time(now)), ("$error", error), ("$id", id));

    /// <summary>Records the epochs (replacing any of the same number) and the loss curve so far, in one transaction.</summary>
    public void RecordEpochs(long id, IEnumerable<EpochMetrics> epochs, string lossCurveJson)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        int completed = 0;
        foreach (var e in epochs)
        {
            Execute(connection, transaction,
                """
                INSERT OR REPLACE INTO epochs (run_id, epoch, train_error, test_error, loss, images_per_second, seconds, epsilon, learning_rates)
                VALUES ($id, $epoch, $train, $test, $loss, $ips, $seconds, $epsilon, $rates);
                """,
                ("$id", id), ("$epoch", e.Epoch), ("$train", e.TrainError), ("$test", e.TestError), ("$loss", e.Loss),
                ("$ips", e.ImagesPerSecond), ("$seconds", e.Seconds), ("$epsilon", e.Epsilon), ("$rates", JsonSerializer.Serialize(e.LearningRates)));
            completed = Math.Max(completed, e.Epoch);
        }
        Execute(connection, transaction, "UPDATE runs SET completed_epochs = MAX(completed_epochs, $c), loss_curve = $curve WHERE id = $id;",
            ("$c", completed), ("$curve", lossCurveJson), ("$id", id));
        transaction.Commit();
    }

    public IReadOnlyList<EpochMetrics> GetEpochs(long id)
    {
        using var connection = Open();
        using var command = Command(connection, null,
            "SELECT epoch, train_error, test_error, loss, images_per_second, seconds, epsilon, learning_rates FROM epochs WHERE run_id = $id ORDER BY epoch;",
            ("$id", id));
        using var reader = command.ExecuteReader();
        var result = new List<EpochMetrics>();
        while (reader.Read())
        {
            result.Add(new EpochMetrics(reader.GetInt32(0), reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3), reader.GetDouble(4),
                reader.GetDouble(5), reader.GetDouble(6), JsonSerializer.Deserialize<Dictionary<string, double>>(reader.GetString(7)) ?? []));
        }
        return result;
    }

    /// <summary>The end of a run: its model, accuracy, confusion matrix (rows: true label) and mistakes, all at once.</summary>
    public void Complete(long id, string modelId, double accuracy, int[][] confusion, IReadOnlyList<MistakeRecord> mistakes, DateTimeOffset now)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, "DELETE FROM mistakes WHERE run_id = $id;", ("$id", id));
        for (int i = 0; i < mistakes.Count; i++)
        {
            Execute(connection, transaction,
                "INSERT INTO mistakes (run_id, position, test_index, label, predicted) VALUES ($id, $p, $index, $label, $predicted);",
                ("$id", id), ("$p", i), ("$index", mistakes[i].TestIndex), ("$label", mistakes[i].Label), ("$predicted", mistakes[i].Predicted));
        }
        Execute(connection, transaction,
            """
            UPDATE runs SET status = $s, finished_at = $now, error = NULL, model_id = $model, test_accuracy = $accuracy, confusion = $confusion
            WHERE id = $id;
            """,
            ("$s", RunStatus.Completed), ("$now", Time(now)), ("$model", modelId), ("$accuracy", accuracy),
            ("$confusion", JsonSerializer.Serialize(confusion)), ("$id", id));
        transaction.Commit();
    }

    public int[][]? GetConfusion(long id)
    {
        using var connection = Open();
        return Scalar(connection, null, "SELECT confusion FROM runs WHERE id = $id;", ("$id", id)) is string json
            ? JsonSerializer.Deserialize<int[][]>(json)
            : null;
    }

    public IReadOnlyList<MistakeRecord> GetMistakes(long id, int limit)
    {
        using var connection = Open();
        using var command = Command(connection, null,
            "SELECT test_index, label, predicted FROM mistakes WHERE run_id = $id ORDER BY position LIMIT $limit;", ("$id", id), ("$limit", limit));
        using var reader = command.ExecuteReader();
        var result = new List<MistakeRecord>();
        while (reader.Read()) result.Add(new MistakeRecord(reader.GetInt32(0), reader.GetInt32(1), reader.GetInt32(2)));
        return result;
    }

    public string? GetActiveModel()
    {
        using var connection = Open();
        return Scalar(connection, null, "SELECT value FROM settings WHERE key = 'active_model';") as string;
    }

    public void SetActiveModel(string id) =>
        Update("INSERT OR REPLACE INTO settings (key, value) VALUES ('active_model', $v);", ("$v", id));

    // ---- plumbing ----

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, null, "PRAGMA busy_timeout = 5000;");
        return connection;
    }

    private IReadOnlyList<RunRecord> QueryRuns(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        using var command = Command(connection, null, sql, parameters);
        using var reader = command.ExecuteReader();
        var result = new List<RunRecord>();
        while (reader.Read())
        {
            result.Add(new RunRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetInt32(4),
                ParseTime(reader.GetString(5)), OptionalTime(reader, 6), OptionalTime(reader, 7),
                reader.IsDBNull(8) ? null : reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetDouble(9),
                reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetString(11)));
        }
        return result;
    }

    private int Update(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        return Execute(connection, null, sql, parameters);
    }

    private static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    private static DateTimeOffset? OptionalTime(SqliteDataReader reader, int column) => reader.IsDBNull(column) ? null : ParseTime(reader.GetString(column));
}

/// <summary>The states of a training run.</summary>
public static class RunStatus
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string Canceled = "canceled";
    public const string Interrupted = "interrupted";

    /// <summary>States a run can be resumed from.</summary>
    public static bool CanResume(string status) => status is Interrupted or Canceled or Failed;
}
