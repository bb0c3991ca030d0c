using LeNet5.Web.Features.Training;
using LeNet5.Web.Infrastructure.Data;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace LeNet5.Web.Tests.Infrastructure;

/// <summary>A database written by an older version of the app is migrated in place, and keeps every row.</summary>
public sealed class DatabaseMigrationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lenet5-migration-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void ARunStoredBeforeTheCorrectionsRenameKeepsItsCorrectionsAndTheirTestError()
    {
        // the schema as it stood at version 3, when a run's inputs were its "extras" column
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, Database.FileName)};Pooling=False"))
        {
            connection.Open();
            foreach (var migration in Database.SqliteMigrations.Take(3)) Database.Execute(connection, null, migration);
            Database.Execute(connection, null, """
                CREATE TABLE schema_version (version INTEGER NOT NULL);
                INSERT INTO schema_version (version) VALUES (3);
                INSERT INTO runs (id, settings, status, epochs, created_at, extras)
                    VALUES (7, '{}', 'completed', 1, '2026-01-01T00:00:00.0000000+00:00', '{"correctionsWeight":3,"baseModel":"lenet5","drawings":[4,5,6]}');
                INSERT INTO epochs (run_id, epoch, train_error, test_error, loss, images_per_second, seconds, epsilon, learning_rates, extra_test_error)
                    VALUES (7, 1, 0.1, 0.05, 0.3, 1000, 2, 0.0005, '{}', 0.25);
                """);
        }

        var database = new Database(Options.Create(new DataOptions { Directory = _directory }), new HostingEnvironment { ContentRootPath = _directory });
        var store = new RunStore(database);

        var run = store.GetRun(7)!;
        Assert.Equal(3, run.Inputs.CorrectionsWeight);
        Assert.Equal("lenet5", run.Inputs.BaseModel);
        Assert.Equal([4L, 5L, 6L], run.Inputs.CorrectionIds);
        Assert.Equal(0.25, Assert.Single(store.GetEpochs(7)).CorrectionsTestError);
        Assert.Equal(Database.SqliteMigrations.Count, Convert.ToInt32(database.Scalar("SELECT version FROM schema_version;"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void ASqliteFileThatGoesAwayIsAnErrorNotANewEmptyDatabase()
    {
        var database = new Database(Options.Create(new DataOptions { Directory = _directory }), new HostingEnvironment { ContentRootPath = _directory });
        Assert.Equal(0L, Convert.ToInt64(database.Scalar("SELECT COUNT(*) FROM runs;"), System.Globalization.CultureInfo.InvariantCulture));
        foreach (var file in Directory.GetFiles(_directory, Path.GetFileName(database.Path!) + "*")) File.Delete(file);

        Assert.ThrowsAny<Microsoft.Data.Sqlite.SqliteException>(() => database.Scalar("SELECT COUNT(*) FROM runs;"));
        Assert.False(File.Exists(database.Path)); // not created again without its tables
    }
}
