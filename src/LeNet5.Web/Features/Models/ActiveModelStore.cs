using System.Data.Common;

namespace LeNet5.Web.Features.Models;

/// <summary>
/// The model an admin made active, kept in the database's settings table so that it survives restarts
/// and every replica answers with the same one.
/// </summary>
public sealed class ActiveModelStore(Database database)
{
    private const string Key = "active_model";

    public string? Get()
    {
        using var connection = database.Open();
        return Get(connection, null);
    }

    /// <summary>The stored choice as a transaction sees it, for a change that must not contradict it.</summary>
    public static string? Get(DbConnection connection, DbTransaction? transaction) =>
        Database.Scalar(connection, transaction, "SELECT value FROM settings WHERE key = @key;", ("@key", Key)) as string;

    public static void Set(DbConnection connection, DbTransaction? transaction, string id) =>
        Database.Execute(connection, transaction, "INSERT INTO settings (key, value) VALUES (@key, @v) ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
            ("@key", Key), ("@v", id));
}
