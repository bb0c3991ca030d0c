using System.ComponentModel.DataAnnotations;

namespace LeNet5.Web.Options;

/// <summary>The per-client (IP address) rate limit on <c>/api</c> (section <c>RateLimit</c>): a fixed window.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>Requests one client may make per window; live drawing makes a few per second at most.</summary>
    [Range(1, 10_000_000)]
    public int PermitLimit { get; set; } = 600;

    /// <summary>The window's length in seconds.</summary>
    [Range(1, 86_400)]
    public int WindowSeconds { get; set; } = 60;
}
