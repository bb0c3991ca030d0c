using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace LeNet5.Web.Infrastructure.Data;

/// <summary>
/// The app's database: an embedded SQLite file, <c>lenet5web.db</c> in the data folder (the default),
/// or a PostgreSQL database that any number of replicas share (Data:Provider). It is created and
/// migrated when the app first needs it. The features keep their own tables and queries in SQL both
/// engines read (parameters written <c>@name</c>; the few differences are this class's <see cref="Dialect"/>
/// members); every change they make is one statement or one transaction, so a crash leaves either the
/// old or the new state.
/// </summary>
public sealed class Database : IDisposable
{
    public const string FileName = "lenet5web.db";

    /// <summary>SQLite's schema migrations: entry i takes the schema from version i to i + 1. Append only.</summary>
    public static readonly IReadOnlyList<string> SqliteMigrations =
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
        // the cluster: a run is claimed by one replica's trainer (its Replica:Name) for a lease it renews while it trains,
        // and at most one run is queued or running at a time (the unique index on a constant for those rows); checkpoints,
        // trained models, admin sessions, failed sign-ins and the data-protection keys live here so every replica sees them
        """
        ALTER TABLE runs ADD COLUMN trainer TEXT;
        ALTER TABLE runs ADD COLUMN lease_until TEXT;
        ALTER TABLE runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN publishing INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE runs ADD COLUMN progress TEXT;
        CREATE UNIQUE INDEX one_active_run ON runs ((status IN ('queued', 'running'))) WHERE status IN ('queued', 'running');
        CREATE TABLE checkpoints (run_id INTEGER PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE, epoch INTEGER NOT NULL, bytes BLOB NOT NULL);
        CREATE TABLE models (id TEXT PRIMARY KEY, bytes BLOB NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE admin_sessions (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, expires_at TEXT NOT NULL);
        CREATE TABLE failed_sign_ins (client TEXT PRIMARY KEY, window_start TEXT NOT NULL, failures INTEGER NOT NULL);
        CREATE TABLE data_protection_keys (name TEXT PRIMARY KEY, xml TEXT NOT NULL);
        """,
        // each model's atlas of the test digits, fitted once by whichever replica is asked first (fingerprint: the model's bytes and the layout's version)
        """
        CREATE TABLE atlases (model_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, embedding BLOB NOT NULL);
        """,
    ];

    /// <summary>
    /// PostgreSQL's schema migrations, the same tables in its types (identity ids, bytea, double precision).
    /// Its first entry is SQLite's first five at once: PostgreSQL came with the cluster. Append only.
    /// </summary>
    public static readonly IReadOnlyList<string> PostgresMigrations =
    [
        """
        CREATE TABLE runs (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            settings TEXT NOT NULL,
            status TEXT NOT NULL,
            epochs INTEGER NOT NULL,
            completed_epochs INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            started_at TEXT,
            finished_at TEXT,
            model_id TEXT,
            test_accuracy DOUBLE PRECISION,
            error TEXT,
            loss_curve TEXT,
            confusion TEXT,
            inputs TEXT,
            trainer TEXT,
            lease_until TEXT,
            cancel_requested INTEGER NOT NULL DEFAULT 0,
            publishing INTEGER NOT NULL DEFAULT 0,
            progress TEXT);
        CREATE UNIQUE INDEX one_active_run ON runs ((status IN ('queued', 'running'))) WHERE status IN ('queued', 'running');
        CREATE TABLE epochs (
            run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            epoch INTEGER NOT NULL,
            train_error DOUBLE PRECISION NOT NULL,
            test_error DOUBLE PRECISION NOT NULL,
            loss DOUBLE PRECISION NOT NULL,
            images_per_second DOUBLE PRECISION NOT NULL,
            seconds DOUBLE PRECISION NOT NULL,
            epsilon DOUBLE PRECISION NOT NULL,
            learning_rates TEXT NOT NULL,
            corrections_test_error DOUBLE PRECISION,
            PRIMARY KEY (run_id, epoch));
        CREATE TABLE mistakes (
            run_id BIGINT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            test_index INTEGER NOT NULL,
            label INTEGER NOT NULL,
            predicted INTEGER NOT NULL,
            PRIMARY KEY (run_id, position));
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE corrections (
            id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
            status TEXT NOT NULL,
            predicted INTEGER NOT NULL,
            rejected INTEGER NOT NULL,
            probabilities TEXT NOT NULL,
            model_id TEXT NOT NULL,
            pixels BYTEA NOT NULL,
            pixels_sha256 TEXT NOT NULL UNIQUE,
            strokes TEXT,
            created_at TEXT NOT NULL,
            reviewed_at TEXT,
            stored_bytes BIGINT NOT NULL DEFAULT 0,
            client_hash TEXT);
        CREATE INDEX corrections_by_status_label ON corrections (status, label);
        CREATE INDEX corrections_by_size ON corrections (stored_bytes);
        CREATE INDEX corrections_by_client ON corrections (client_hash, created_at);
        CREATE TABLE checkpoints (run_id BIGINT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE, epoch INTEGER NOT NULL, bytes BYTEA NOT NULL);
        CREATE TABLE models (id TEXT PRIMARY KEY, bytes BYTEA NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE admin_sessions (id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, expires_at TEXT NOT NULL);
        CREATE TABLE failed_sign_ins (client TEXT PRIMARY KEY, window_start TEXT NOT NULL, failures INTEGER NOT NULL);
        CREATE TABLE data_protection_keys (name TEXT PRIMARY KEY, xml TEXT NOT NULL);
        """,
        """
        CREATE TABLE atlases (model_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, embedding BYTEA NOT NULL);
        """,
    ];

    /// <summary>The lock every replica takes before it migrates, so replicas that start at once on an empty database migrate it once.</summary>
    private const long MigrationLock = 0x4C654E657435; // "LeNet5"

    private readonly DbDataSource _source;
    private readonly ILogger<Database> _logger;

    public Database(IOptions<DataOptions> options, IHostEnvironment environment, ILogger<Database>? logger = null)
    {
        var settings = options.Value;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger<Database>.Instance;
        DirectoryPath = settings.ResolveDirectory(environment.ContentRootPath);
        Directory.CreateDirectory(DirectoryPath);
        IsPostgres = settings.IsPostgres;
        if (IsPostgres)
        {
            var builder = new NpgsqlConnectionStringBuilder(settings.PostgresConnectionString);
            Description = $"PostgreSQL database {builder.Database ?? builder.Username} on {builder.Host}:{builder.Port}";
            _source = NpgsqlDataSource.Create(builder.ConnectionString);
        }
        else
        {
            Path = System.IO.Path.Combine(DirectoryPath, FileName);
            Description = $"SQLite database {Path}";
            // no pooling: nothing holds the file open between operations (tests delete their data folder); only the
            // migration creates the file, so a database file that goes away is an error to report, never a new empty one
            _source = SqliteFactory.Instance.CreateDataSource(SqliteSettings(SqliteOpenMode.ReadWrite));
        }
        MigrateWhenReachable(TimeSpan.FromSeconds(settings.StartupWaitSeconds));
    }

    /// <summary>The data folder (Data:Directory): the SQLite file, and scratch copies of checkpoints while a run trains.</summary>
    public string DirectoryPath { get; }

    /// <summary>The SQLite file; null on PostgreSQL.</summary>
    public string? Path { get; }

    /// <summary>Which database this is, for logs (never the password).</summary>
    public string Description { get; }

    public bool IsPostgres { get; }

    /// <summary>An open connection; SQLite's waits up to 5 s for a lock held by another.</summary>
    public DbConnection Open()
    {
        var connection = _source.OpenConnection();
        if (!IsPostgres) Execute(connection, null, "PRAGMA busy_timeout = 5000;");
        return connection;
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await _source.OpenConnectionAsync(cancellationToken);
        if (!IsPostgres) Execute(connection, null, "PRAGMA busy_timeout = 5000;");
        return connection;
    }

    /// <summary>
    /// A transaction that holds the write lock named <paramref name="name"/> from its first statement:
    /// SQLite's single writer lock (BEGIN IMMEDIATE), or a PostgreSQL advisory lock, so that a
    /// check-then-write on any replica runs after the others' and never decides on a stale count.
    /// </summary>
    public DbTransaction BeginWrite(DbConnection connection, string name)
    {
        if (connection is SqliteConnection sqlite) return sqlite.BeginTransaction(deferred: false);
        var transaction = connection.BeginTransaction();
        Execute(connection, transaction, "SELECT pg_advisory_xact_lock(hashtext(@name));", ("@name", name));
        return transaction;
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

    /// <summary>The rows of a query, each read by <paramref name="read"/>.</summary>
    public List<T> Query<T>(string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        return Query(connection, null, sql, read, parameters);
    }

    public static List<T> Query<T>(DbConnection connection, DbTransaction? transaction, string sql, Func<DbDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        using var reader = command.ExecuteReader();
        var result = new List<T>();
        while (reader.Read()) result.Add(read(reader));
        return result;
    }

    public static int Execute(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    public static object? Scalar(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value switch { null => DBNull.Value, bool b => b ? 1 : 0, _ => value }; // both keep flags as integers
            command.Parameters.Add(parameter);
        }
        return command;
    }

    /// <summary>Whether a statement failed on a unique index (SQLite's constraint error, PostgreSQL's 23505).</summary>
    public static bool IsUniqueViolation(DbException ex) =>
        ex is SqliteException { SqliteErrorCode: 19 } || ex is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation };

    /// <summary>An integer column or count as a long, whichever width the engine gave it.</summary>
    public static long Long(DbDataReader reader, int column) => Convert.ToInt64(reader.GetValue(column), CultureInfo.InvariantCulture);

    /// <summary>An integer column or count as an int, whichever width the engine gave it.</summary>
    public static int Int(DbDataReader reader, int column) => Convert.ToInt32(reader.GetValue(column), CultureInfo.InvariantCulture);

    public static string? OptionalString(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    public static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);

    /// <summary>The larger of two values in one row: SQLite's two-argument MAX, PostgreSQL's GREATEST.</summary>
    public string Greatest(string a, string b) => IsPostgres ? $"GREATEST({a}, {b})" : $"MAX({a}, {b})";

    /// <summary>The ids of a JSON array parameter, as a subquery for <c>IN (...)</c>.</summary>
    public string IdsOf(string jsonParameter) => IsPostgres
        ? $"SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST({jsonParameter} AS json))"
        : $"SELECT value FROM json_each({jsonParameter})";

    /// <summary>Locks the rows a claim reads, skipping those another replica is claiming (PostgreSQL); SQLite has one writer anyway.</summary>
    public string ForUpdateSkipLocked => IsPostgres ? "FOR UPDATE SKIP LOCKED" : "";

    /// <summary>Whether the database answers (the health check's question).</summary>
    public async Task<bool> AnswersAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var command = Command(connection, null, "SELECT 1;");
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    public void Dispose() => _source.Dispose();

    /// <summary>Migrates, retrying while the database does not answer yet (up to <paramref name="wait"/>); then the last failure stands.</summary>
    private void MigrateWhenReachable(TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                Migrate();
                return;
            }
            catch (Exception ex) when (IsPostgres && ex is NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException && DateTime.UtcNow < deadline)
            {
                if (attempt == 1) _logger.LogWarning("{Database} does not answer yet ({Reason}); retrying for up to {Seconds} s", Description, ex.Message, (int)wait.TotalSeconds);
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }
        }
    }

    private string SqliteSettings(SqliteOpenMode mode) =>
        new SqliteConnectionStringBuilder { DataSource = Path, Mode = mode, Pooling = false, ForeignKeys = true }.ToString();

    /// <summary>Creates the database (SQLite: its file) and its tables, and applies the migrations it lacks, in one transaction.</summary>
    private void Migrate()
    {
        var migrations = IsPostgres ? PostgresMigrations : SqliteMigrations;
        using var connection = IsPostgres ? Open() : new SqliteConnection(SqliteSettings(SqliteOpenMode.ReadWriteCreate));
        if (!IsPostgres)
        {
            connection.Open();
            Execute(connection, null, "PRAGMA busy_timeout = 5000;");
            Execute(connection, null, "PRAGMA journal_mode = WAL;");
        }
        // SQLite: BEGIN IMMEDIATE takes the write lock first, so two processes opening a new file migrate it one after the other
        using var transaction = connection is SqliteConnection sqlite ? sqlite.BeginTransaction(deferred: false) : connection.BeginTransaction();
        if (IsPostgres) Execute(connection, transaction, "SELECT pg_advisory_xact_lock(@lock);", ("@lock", MigrationLock));
        Execute(connection, transaction, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        var current = Convert.ToInt32(Scalar(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM schema_version;"), CultureInfo.InvariantCulture);
        if (current > migrations.Count)
            throw new InvalidOperationException($"{Description} has schema version {current}, newer than this app's {migrations.Count}.");
        for (int v = current; v < migrations.Count; v++) Execute(connection, transaction, migrations[v]);
        Execute(connection, transaction, "DELETE FROM schema_version;");
        Execute(connection, transaction, "INSERT INTO schema_version (version) VALUES (@v);", ("@v", migrations.Count));
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
        services.AddOptions<DataOptions>().Configure<IConfiguration>((o, configuration) =>
            o.PostgresConnectionString ??= configuration.GetConnectionString(DataOptions.PostgresConnectionName));
        services.AddSingleton<IValidateOptions<DataOptions>, ConnectionValidator>();
        services.TryAddSingleton(TimeProvider.System); // the run store, the queue and the registry read the time from it
        services.AddSingleton<Database>();
        return services;
    }

    /// <summary>A postgres provider needs a connection string Npgsql can read.</summary>
    private sealed class ConnectionValidator : IValidateOptions<DataOptions>
    {
        public ValidateOptionsResult Validate(string? name, DataOptions options) =>
            options.ConnectionProblem() is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
