using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace LeNet5.Web.Features.Admin;

/// <summary>
/// Makes sure the shared key ring (<see cref="DatabaseXmlRepository"/>) holds a key before the app serves.
/// Left to itself, data protection makes its first key when it first protects something, and then caches its
/// key ring for up to a day: replicas that start at once on an empty database would each make a key of
/// their own and refuse each other's cookies and antiforgery tokens until their rings refresh. So every
/// replica, at start-up, takes a cluster-wide lock, looks for a key in use, and makes one only when there is
/// none: the first replica makes the only key, the others find it and load the same ring.
/// The lock is a PostgreSQL advisory lock held on a connection of its own rather than a write transaction,
/// because the key manager stores the new key through the repository on another connection, which a SQLite
/// write lock held here would block until it timed out; an embedded SQLite database serves one process,
/// where a lock in the process suffices.
/// </summary>
public sealed class DataProtectionKeys(Database database, IKeyManager keys, IOptions<KeyManagementOptions> options, TimeProvider time)
{
    private const string LockName = "data-protection-keys";

    /// <summary>How far ahead of this replica's clock another's may run: a key it just made still counts as in use.</summary>
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    private static readonly Lock ProcessLock = new();

    public void EnsureKey()
    {
        if (!database.IsPostgres)
        {
            lock (ProcessLock) CreateKeyUnlessOneIsInUse();
            return;
        }
        using var connection = database.Open();
        Database.Execute(connection, null, "SELECT pg_advisory_lock(hashtext(@name));", ("@name", LockName));
        try
        {
            CreateKeyUnlessOneIsInUse();
        }
        finally
        {
            // a session lock outlives a pooled connection's return to the pool, so it is released by name
            Database.Execute(connection, null, "SELECT pg_advisory_unlock(hashtext(@name));", ("@name", LockName));
        }
    }

    private void CreateKeyUnlessOneIsInUse()
    {
        var now = time.GetUtcNow();
        if (keys.GetAllKeys().Any(k => !k.IsRevoked && k.ActivationDate <= now + ClockSkew && k.ExpirationDate > now)) return;
        keys.CreateNewKey(now, now + options.Value.NewKeyLifetime);
    }
}
