namespace LeNet5.Web.Infrastructure;

/// <summary>
/// The per-client (IP address) rate limits (section <c>RateLimit</c>), fixed windows: every <c>/api</c>
/// request, the admin endpoints, contributed corrections, and sign-in attempts (<c>POST /login</c>).
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>
    /// Permits one client has per window: a prediction of a drawing takes one, heavier requests
    /// several (see <see cref="RequestCost"/>); live drawing makes a few per second at most.
    /// </summary>
    [Range(1, 10_000_000)]
    public int PermitLimit { get; set; } = 600;

    /// <summary>The window's length in seconds.</summary>
    [Range(1, 86_400)]
    public int WindowSeconds { get; set; } = 60;

    /// <summary>Admin API requests (training, activating and deleting models) one client may make per window.</summary>
    [Range(1, 10_000_000)]
    public int AdminPermitLimit { get; set; } = 120;

    /// <summary>
    /// Corrections (<c>POST /api/corrections</c>) one client may send per window: someone correcting
    /// the network sends one a drawing, so a handful a minute is generous, and a flood is not a person.
    /// </summary>
    [Range(1, 10_000_000)]
    public int CorrectionsPermitLimit { get; set; } = 20;

    /// <summary>Sign-in attempts (<c>POST /login</c>) one client may make per login window.</summary>
    [Range(1, 10_000_000)]
    public int LoginPermitLimit { get; set; } = 10;

    /// <summary>The login window's length in seconds.</summary>
    [Range(1, 86_400)]
    public int LoginWindowSeconds { get; set; } = 60;
}
