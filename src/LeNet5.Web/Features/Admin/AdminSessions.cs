using System.Security.Cryptography;

namespace LeNet5.Web.Features.Admin;

/// <summary>
/// The admin page's sign-ins, held in the database (table <c>admin_sessions</c>) so every replica knows
/// them: a sign-in cookie names its session and is good only while the session is, wherever the request
/// lands. Signing out on any replica ends it; every session ends after Admin:CookieHours from the
/// sign-in (it does not slide); a change of Admin:Token ends them all, because each session records
/// the token it was started under (<see cref="AdminToken.Fingerprint"/>). A restart with the same token
/// keeps them.
/// </summary>
public sealed class AdminSessions(Database database, AdminToken token, IOptions<AdminOptions> options, TimeProvider time)
{
    public const string ClaimType = "sid";

    /// <summary>Sessions kept at most; the oldest give way (a sign-in a minute for days would otherwise grow without end).</summary>
    private const int Capacity = 1000;

    public TimeSpan Lifetime => TimeSpan.FromHours(options.Value.CookieHours);

    /// <summary>A new session, good for <see cref="Lifetime"/>; its id goes in the cookie.</summary>
    public string Start()
    {
        var now = time.GetUtcNow();
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var connection = database.Open();
        // under the lock, so that sign-ins on several replicas at once cannot leave more than Capacity sessions
        using var transaction = database.BeginWrite(connection, "admin-sessions");
        Database.Execute(connection, transaction,
            """
            DELETE FROM admin_sessions
            WHERE expires_at <= @now
               OR expires_at <= (SELECT expires_at FROM admin_sessions ORDER BY expires_at DESC LIMIT 1 OFFSET @keep);
            """,
            ("@now", Database.Time(now)), ("@keep", Capacity - 1));
        Database.Execute(connection, transaction,
            "INSERT INTO admin_sessions (id, token_hash, expires_at) VALUES (@id, @tokenHash, @expiresAt);",
            ("@id", id), ("@tokenHash", token.Fingerprint), ("@expiresAt", Database.Time(now + Lifetime)));
        transaction.Commit();
        return id;
    }

    /// <summary>Whether the session exists, was started under the current admin token and has not expired.</summary>
    public bool IsActive(string? id) =>
        id is not null && database.Scalar(
            "SELECT 1 FROM admin_sessions WHERE id = @id AND token_hash = @tokenHash AND expires_at > @now;",
            ("@id", id), ("@tokenHash", token.Fingerprint), ("@now", Database.Time(time.GetUtcNow()))) is not null;

    public void End(string? id)
    {
        if (id is not null) database.Execute("DELETE FROM admin_sessions WHERE id = @id;", ("@id", id));
    }
}
