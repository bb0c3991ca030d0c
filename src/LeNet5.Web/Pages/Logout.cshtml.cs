using LeNet5.Web.Features.Admin;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace LeNet5.Web.Pages;

/// <summary>Signs the admin out (POST with the antiforgery token) and returns to the sign-in page.</summary>
public sealed class LogoutModel(AdminSessions sessions) : PageModel
{
    public IActionResult OnGet() => Redirect("/admin");

    public async Task<IActionResult> OnPostAsync()
    {
        // the session ends on the server: a copy of the cookie kept elsewhere no longer signs anyone in
        sessions.End(User.FindFirstValue(AdminSessions.ClaimType));
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return LocalRedirect("/login");
    }
}
