namespace LeNet5.Web.Features.Admin;

/// <summary>The admin's credentials (section <c>Admin</c>; e.g. the environment variable <c>Admin__Token</c>).</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>The fewest characters a configured token may have: 32 random characters are beyond guessing.</summary>
    public const int MinTokenLength = 32;

    /// <summary>The admin token; empty means a random one is generated at start-up and shown once on the console.</summary>
    [Settings.Sensitive]
    [RegularExpression("^$|^.{32,}$", ErrorMessage = "{0} must be empty (a token is then generated) or at least 32 characters long")]
    public string Token { get; set; } = "";

    /// <summary>How long a sign-in lasts, from the moment of signing in (it does not slide).</summary>
    [Range(1, 24 * 30)]
    public int CookieHours { get; set; } = 12;

    /// <summary>
    /// Marks the sign-in cookie Secure always (only sent over https). Off by default: the cookie is then
    /// Secure on https requests and still works on http://localhost.
    /// </summary>
    public bool RequireHttpsCookie { get; set; }
}
