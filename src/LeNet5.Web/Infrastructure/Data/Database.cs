using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace LeNet5.Web.Infrastructure.Data;

/// <summary>
/// The embedded SQLite database, <c>lenet5web.db</c> in the data folder, created and migrated when
/// the app first needs it. The features keep their own tables and queries (the run store, the active
/// model); every change they make is one transaction, so a crash leaves either the old or the new state.
/// </summary>
public sealed class Database
{
    public const string FileName = "lenet5web.db";

    /// <summary>Schema migrations: entry i takes the schema from version i to i + 1. Append only.</summary>
    public static readonly IReadOnlyList<string> Migrations =
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
        // the corrections loop: drawings people marked wrong, each stored once (by the hash of its prepared 28x28);
        // a run's epochs gain the error on the corrections test set, and a run the corrections and the base model it trains with (its inputs, first named extras)
        """
        CREATE TABLE corrections (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
            status TEXT NOT NULL,
            predicted INTEGER NOT NULL,
            rejected INTEGER NOT NULL,
            probabilities TEXT NOT NULL,
            model_id TEXT NOT NULL,
            pixels BLOB NOT NULL,
            pixels_sha256 TEXT NOT NULL UNIQUE,
            strokes TEXT,
            created_at TEXT NOT NULL,
            reviewed_at TEXT);
        CREATE INDEX corrections_by_status_label ON corrections (status, label);
        ALTER TABLE epochs ADD COLUMN extra_test_error REAL;
        ALTER TABLE runs ADD COLUMN extras TEXT;
        """,
        // the corrections' caps: each drawing's size (its pixels, strokes and probabilities) for the byte cap, summed from
        // its own index, and a keyed hash of who sent it (never the address) with the time, to count a client's last 24 hours
        """
        ALTER TABLE corrections ADD COLUMN stored_bytes INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE corrections ADD COLUMN client_hash TEXT;
        UPDATE corrections SET stored_bytes = length(pixels) + COALESCE(length(CAST(strokes AS BLOB)), 0) + length(CAST(probabilities AS BLOB));
        CREATE INDEX corrections_by_size ON corrections (stored_bytes);
        CREATE INDEX corrections_by_client ON corrections (client_hash, created_at);
        """,
        // one name for the accepted drawings: "corrections"; what a run takes beside its settings: its "inputs"
        """
        ALTER TABLE runs RENAME COLUMN extras TO inputs;
        ALTER TABLE epochs RENAME COLUMN extra_test_error TO corrections_test_error;
        """,
    ];

    private readonly string _connectionString;

    public Database(IOptions<DataOptions> options, IHostEnvironment environment)
    {
        DirectoryPath = options.Value.ResolveDirectory(environment.ContentRootPath);
        Path = System.IO.Path.Combine(DirectoryPath, FileName);
        // no pooling: nothing holds the file open between operations (tests delete their data folder)
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false, ForeignKeys = true }.ToString();
        Migrate();
    }

    /// <summary>The data folder (Data:Directory), which also holds checkpoints and trained models.</summary>
    public string DirectoryPath { get; }

    public string Path { get; }

    /// <summary>An open connection that waits up to 5 s for a lock held by another.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, null, "PRAGMA busy_timeout = 5000;");
        return connection;
    }

    public int Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        return Execute(connection, null, sql, parameters);
    }

    public object? Scalar(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        return Scalar(connection, null, sql, parameters);
    }

    public static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>Creates the data folder and the database, and applies the migrations it lacks.</summary>
    private void Migrate()
    {
        Directory.CreateDirectory(DirectoryPath);
        using var connection = Open();
        Execute(connection, null, "PRAGMA journal_mode = WAL;");
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        var current = Convert.ToInt32(Scalar(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version;"), CultureInfo.InvariantCulture);
        if (current > Migrations.Count)
            throw new InvalidOperationException($"{Path} has schema version {current}, newer than this app's {Migrations.Count}.");
        for (int v = current; v < Migrations.Count; v++) Execute(connection, transaction, Migrations[v]);
        Execute(connection, transaction, "DELETE FROM schema_version;");
        Execute(connection, transaction, "INSERT INTO schema_version (version) VALUES ($v);", ("$v", Migrations.Count));
        transaction.Commit();
    }
}

/// <summary>Registers the data folder and its database once, for every feature that keeps something there.</summary>
public static class DatabaseRegistration
{
    public static IServiceCollection AddDatabase(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(Database))) return services;
        services.AddSettings<DataOptions>(DataOptions.Section);
        services.TryAddSingleton(TimeProvider.System); // the run store, the queue and the registry read the time from it
        services.AddSingleton<Database>();
        return services;
    }
}
