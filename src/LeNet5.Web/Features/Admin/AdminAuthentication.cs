using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace LeNet5.Web.Features.Admin;

/// <summary>
/// Admin authentication: scripts send <c>Authorization: Bearer TOKEN</c>; the admin page signs in
/// once with the token and then carries an http-only, SameSite=Strict cookie. Without credentials the
/// API answers a 401 problem and the pages redirect to <c>/login</c>. Requests authenticated by the
/// cookie that change something must also carry the antiforgery token (header
/// <c>RequestVerificationToken</c>).
/// </summary>
public static class AdminAuthentication
{
    public const string Policy = "admin";
    public const string Role = "admin";
    public const string BearerScheme = "AdminBearer";
    public const string SelectorScheme = "Admin";
    public const string LoginPath = "/login";
    public const string CookieName = "lenet5.admin";

    public static IServiceCollection AddAdmin(this IServiceCollection services)
    {
        services.AddSettings<AdminOptions>(AdminOptions.Section);
        services.AddSingleton<AdminToken>();
        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "Bearer token or sign-in cookie", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? BearerScheme
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerScheme, null)
            .AddCookie(CookieAuthenticationDefaults.AuthenticationScheme, _ => { });
        services.AddOptions<CookieAuthenticationOptions>(CookieAuthenticationDefaults.AuthenticationScheme)
            .Configure<IOptions<AdminOptions>>((o, admin) =>
            {
                o.LoginPath = LoginPath;
                o.LogoutPath = "/logout";
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                // secure on https, still usable on http://localhost; Admin:RequireHttpsCookie makes it https-only
                o.Cookie.SecurePolicy = admin.Value.RequireHttpsCookie ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(Math.Max(1, admin.Value.CookieHours));
                o.SlidingExpiration = true;
                o.Events.OnRedirectToLogin = context => IsApi(context.Request) ? WriteProblem(context.HttpContext, StatusCodes.Status401Unauthorized) : Redirect(context);
                o.Events.OnRedirectToAccessDenied = context => IsApi(context.Request) ? WriteProblem(context.HttpContext, StatusCodes.Status403Forbidden) : Redirect(context);
            });
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.RequireAuthenticatedUser().RequireRole(Role));
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "lenet5.antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }

    /// <summary>Authentication and authorization for every request; the admin token is made (and logged, when generated) now, not on the first sign-in.</summary>
    public static WebApplication UseAdmin(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<AdminToken>();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The principal of a signed-in admin.</summary>
    public static ClaimsPrincipal Principal(string scheme) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, Role)], scheme));

    /// <summary>Admin only; requests signed in by cookie that change state must carry the antiforgery token.</summary>
    public static TBuilder RequireAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAuthorization(Policy).WithMetadata(AdminEndpointMetadata.Instance)
            .ProducesProblem(StatusCodes.Status401Unauthorized).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) &&
                http.User.Identity?.AuthenticationType != BearerScheme)
            {
                try
                {
                    await http.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(http);
                }
                catch (AntiforgeryValidationException ex)
                {
                    throw new ApiProblem(StatusCodes.Status400BadRequest,
                        "The antiforgery token is missing or invalid; reload the admin page, or send 'Authorization: Bearer TOKEN' from scripts.", ex.Message);
                }
            }
            return await next(context);
        });

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static Task WriteProblem(HttpContext http, int status)
    {
        if (status == StatusCodes.Status401Unauthorized) http.Response.Headers.WWWAuthenticate = "Bearer";
        return ProblemHandling.WriteAsync(http, new ProblemDetails
        {
            Status = status,
            Title = status == StatusCodes.Status401Unauthorized
                ? "This is an admin API; send 'Authorization: Bearer TOKEN' with the admin token (Admin:Token), or sign in at /login."
                : "The admin token is not valid for this request.",
        });
    }

    /// <summary>Authenticates <c>Authorization: Bearer TOKEN</c> against the admin token.</summary>
    private sealed class BearerTokenHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AdminToken token)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
            return Task.FromResult(token.Matches(header["Bearer ".Length..])
                ? AuthenticateResult.Success(new AuthenticationTicket(Principal(BearerScheme), BearerScheme))
                : AuthenticateResult.Fail("wrong admin token"));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties) => WriteProblem(Context, StatusCodes.Status401Unauthorized);

        protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => WriteProblem(Context, StatusCodes.Status403Forbidden);
    }
}
