namespace LeNet5.Web.Features.Models;

/// <summary>The model an admin made active, kept in the database's settings table so that it survives restarts.</summary>
public sealed class ActiveModelStore(Database database)
{
    private const string Key = "active_model";

    public string? Get() => database.Scalar("SELECT value FROM settings WHERE key = @key;", ("@key", Key)) as string;

    public void Set(string id) => database.Execute("INSERT INTO settings (key, value) VALUES (@key, @v) ON CONFLICT (key) DO UPDATE SET value = excluded.value;", ("@key", Key), ("@v", id));
}
