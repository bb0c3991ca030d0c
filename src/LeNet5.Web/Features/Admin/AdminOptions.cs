namespace LeNet5.Web.Features.Admin;

/// <summary>The admin's credentials (section <c>Admin</c>; e.g. the environment variable <c>Admin__Token</c>).</summary>
public sealed class AdminOptions
{
    public const string Section = "Admin";

    /// <summary>The admin token; empty means a random one is generated at start-up and logged once.</summary>
    public string Token { get; set; } = "";

    /// <summary>How long the admin page's sign-in cookie lasts.</summary>
    public int CookieHours { get; set; } = 12;

    /// <summary>
    /// Marks the sign-in cookie Secure always (only sent over https). Off by default: the cookie is then
    /// Secure on https requests and still works on http://localhost.
    /// </summary>
    public bool RequireHttpsCookie { get; set; }
}
