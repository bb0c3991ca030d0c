using System.Collections.Concurrent;

namespace LeNet5.Web.Features.Admin;

/// <summary>
/// Wrong admin tokens per client, wherever they are tried (a bearer on the API, the sign-in form):
/// after RateLimit:LoginPermitLimit of them in RateLimit:LoginWindowSeconds, the client is refused
/// (429) until its window ends, even with the right token, so the token cannot be guessed at speed.
/// </summary>
public sealed class FailedSignIns(IOptions<RateLimitOptions> options, TimeProvider time)
{
    /// <summary>Clients tracked at most: past it the stalest entries go (a flood of addresses cannot grow the table without end).</summary>
    private const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, Window> _clients = new(StringComparer.Ordinal);

    private sealed record Window(DateTimeOffset Start, int Failures);

    /// <summary>Seconds until this client may try again, or null when it may try now.</summary>
    public int? RetryAfterSeconds(HttpContext client)
    {
        if (!_clients.TryGetValue(Key(client), out var window) || window.Failures < options.Value.LoginPermitLimit) return null;
        var left = window.Start + Length - time.GetUtcNow();
        return left > TimeSpan.Zero ? Math.Max(1, (int)Math.Ceiling(left.TotalSeconds)) : null;
    }

    public void Record(HttpContext client)
    {
        var now = time.GetUtcNow();
        if (_clients.Count >= Capacity)
            foreach (var (key, old) in _clients)
                if (old.Start + Length <= now) _clients.TryRemove(key, out _);
        _clients.AddOrUpdate(Key(client), _ => new Window(now, 1),
            (_, w) => w.Start + Length <= now ? new Window(now, 1) : w with { Failures = w.Failures + 1 });
    }

    private TimeSpan Length => TimeSpan.FromSeconds(options.Value.LoginWindowSeconds);

    private static string Key(HttpContext client) => ClientKey.Of(client);
}
