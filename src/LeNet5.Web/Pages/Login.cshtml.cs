using LeNet5.Web.Features.Admin;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LeNet5.Web.Pages;

/// <summary>Asks for the admin token once and signs the browser in with an http-only cookie.</summary>
public sealed class LoginModel(AdminToken token, AdminSessions sessions, FailedSignIns failures) : PageModel
{
    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public string? Token { get; set; }

    public bool Failed { get; private set; }

    /// <summary>Set when this client tried too many wrong tokens: seconds until it may try again.</summary>
    public int? RetryAfter { get; private set; }

    public IActionResult OnGet() =>
        User.IsInRole(AdminAuthentication.Role) ? LocalRedirect(Target()) : Page();

    public async Task<IActionResult> OnPostAsync()
    {
        var client = HttpContext;
        RetryAfter = failures.RetryAfterSeconds(client);
        if (RetryAfter is { } seconds)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page();
        }
        if (!token.Matches(Token))
        {
            failures.Record(client);
            Failed = true;
            Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Page();
        }
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            AdminAuthentication.Principal(CookieAuthenticationDefaults.AuthenticationScheme, sessions.Start()));
        return LocalRedirect(Target());
    }

    private string Target() => Url.IsLocalUrl(ReturnUrl) ? ReturnUrl! : "/admin";
}
