namespace LeNet5.Web.Features.Admin;

/// <summary>
/// Wrong admin tokens per client, wherever they are tried (a bearer on the API, the sign-in form) and on
/// whichever replica (table <c>failed_sign_ins</c>): after RateLimit:LoginPermitLimit of them in
/// RateLimit:LoginWindowSeconds, the client is refused (429) until its window ends, even with the right
/// token, so the token cannot be guessed at speed, nor faster by spreading the guesses over replicas.
/// A client's address is kept only until its window ends.
/// </summary>
public sealed class FailedSignIns(Database database, IOptions<RateLimitOptions> options, TimeProvider time)
{
    /// <summary>Seconds until this client may try again, or null when it may try now.</summary>
    public int? RetryAfterSeconds(HttpContext client)
    {
        var window = database.Query("SELECT window_start, failures FROM failed_sign_ins WHERE client = @client;",
            r => (Start: Database.ParseTime(r.GetString(0)), Failures: Database.Int(r, 1)), ("@client", Key(client)));
        if (window is not [var (start, failures)] || failures < options.Value.LoginPermitLimit) return null;
        var left = start + Length - time.GetUtcNow();
        return left > TimeSpan.Zero ? Math.Max(1, (int)Math.Ceiling(left.TotalSeconds)) : null;
    }

    /// <summary>
    /// Counts a wrong token in the client's window, or starts a new window when the last one has ended, in
    /// one statement so that replicas counting at once add up. Ended windows are dropped as it goes, so the
    /// table holds only the clients that failed within the last window (a flood of addresses cannot grow it without end).
    /// </summary>
    public void Record(HttpContext client)
    {
        var now = time.GetUtcNow();
        (string, object?) nowParameter = ("@now", Database.Time(now));
        (string, object?) cutoffParameter = ("@windowStartCutoff", Database.Time(now - Length)); // a window that started then or earlier has ended
        using var connection = database.Open();
        Database.Execute(connection, null, "DELETE FROM failed_sign_ins WHERE window_start <= @windowStartCutoff;", cutoffParameter);
        Database.Execute(connection, null,
            """
            INSERT INTO failed_sign_ins (client, window_start, failures) VALUES (@client, @now, 1)
            ON CONFLICT (client) DO UPDATE SET
                window_start = CASE WHEN failed_sign_ins.window_start <= @windowStartCutoff THEN @now ELSE failed_sign_ins.window_start END,
                failures = CASE WHEN failed_sign_ins.window_start <= @windowStartCutoff THEN 1 ELSE failed_sign_ins.failures + 1 END;
            """,
            ("@client", Key(client)), nowParameter, cutoffParameter);
    }

    private TimeSpan Length => TimeSpan.FromSeconds(options.Value.LoginWindowSeconds);

    private static string Key(HttpContext client) => ClientKey.Of(client);
}
