using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace LeNet5.Web.Features.Admin;

/// <summary>
/// The admin page's sign-ins, held by the server: a sign-in cookie names its session, and is good only
/// while the session is. Signing out ends it; every session ends after Admin:CookieHours from the
/// sign-in (it does not slide); a restart (which is also how Admin:Token changes) ends them all.
/// </summary>
public sealed class AdminSessions(IOptions<AdminOptions> options, TimeProvider time)
{
    public const string ClaimType = "sid";

    /// <summary>Sessions kept at most; the oldest give way (a sign-in a minute for days would otherwise grow without end).</summary>
    private const int Capacity = 1000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiry = new(StringComparer.Ordinal);

    public TimeSpan Lifetime => TimeSpan.FromHours(options.Value.CookieHours);

    /// <summary>A new session, good for <see cref="Lifetime"/>; its id goes in the cookie.</summary>
    public string Start()
    {
        var now = time.GetUtcNow();
        foreach (var (old, expires) in _expiry)
            if (expires <= now) _expiry.TryRemove(old, out _);
        while (_expiry.Count >= Capacity && _expiry.MinBy(s => s.Value) is { Key: { } oldest }) _expiry.TryRemove(oldest, out _);
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _expiry[id] = now + Lifetime;
        return id;
    }

    public bool IsActive(string? id) => id is not null && _expiry.TryGetValue(id, out var expires) && expires > time.GetUtcNow();

    public void End(string? id)
    {
        if (id is not null) _expiry.TryRemove(id, out _);
    }
}
