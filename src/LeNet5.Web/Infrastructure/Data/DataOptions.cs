namespace LeNet5.Web.Infrastructure.Data;

/// <summary>
/// Where the app keeps what it writes (section <c>Data</c>, and <c>ConnectionStrings:Postgres</c>): an
/// embedded SQLite file in the data folder (the default: nothing to install), or a PostgreSQL database
/// that several replicas share.
/// </summary>
public sealed class DataOptions
{
    public const string Section = "Data", Sqlite = "sqlite", Postgres = "postgres", PostgresConnectionName = "Postgres";

    /// <summary>The data folder; relative paths are taken from the content root. It holds the SQLite file and scratch copies of checkpoints.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Directory { get; set; } = "App_Data";

    /// <summary>Which database keeps the app's state: <c>sqlite</c> (one replica) or <c>postgres</c> (any number).</summary>
    [AllowedValues(Sqlite, Postgres, ErrorMessage = "{0} must be sqlite (the embedded default) or postgres")]
    public string Provider { get; set; } = Sqlite;

    /// <summary>ConnectionStrings:Postgres, a standard Npgsql connection string; needed with the postgres provider.</summary>
    [Settings.Sensitive]
    public string? PostgresConnectionString { get; set; }

    /// <summary>Seconds start-up waits for the database to answer before it gives up (a replica may start before its database).</summary>
    [Range(0, 600)]
    public int StartupWaitSeconds { get; set; } = 30;

    public bool IsPostgres => Provider == Postgres;

    public string ResolveDirectory(string contentRoot) => Path.GetFullPath(Directory, contentRoot);

    /// <summary>What is wrong with the provider's connection settings, or null when they can be used.</summary>
    public string? ConnectionProblem()
    {
        if (!IsPostgres) return null;
        if (string.IsNullOrWhiteSpace(PostgresConnectionString))
            return "Invalid setting ConnectionStrings:Postgres = (empty): Data:Provider is postgres, so a connection string is needed (environment variable ConnectionStrings__Postgres)";
        try
        {
            var builder = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnectionString);
            return string.IsNullOrEmpty(builder.Host) ? "Invalid setting ConnectionStrings:Postgres: it names no Host (environment variable ConnectionStrings__Postgres)" : null;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            return $"Invalid setting ConnectionStrings:Postgres: not a valid Npgsql connection string ({ex.Message}) (environment variable ConnectionStrings__Postgres)";
        }
    }
}
