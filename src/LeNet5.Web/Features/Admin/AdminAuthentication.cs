using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;

namespace LeNet5.Web.Features.Admin;

/// <summary>
/// Admin authentication: scripts send <c>Authorization: Bearer TOKEN</c> to the API (only there); the
/// admin page signs in once with the token and then carries an http-only, SameSite=Strict cookie that
/// names a session in the database (<see cref="AdminSessions"/>), protected with the key ring every replica
/// shares (<see cref="DatabaseXmlRepository"/>), so any replica accepts it. Without credentials the API answers a
/// 401 problem and the pages redirect to <c>/login</c>; a client that tried too many wrong tokens gets
/// 429 (<see cref="FailedSignIns"/>). Requests authenticated by the cookie that change something must
/// also carry the antiforgery token (header <c>RequestVerificationToken</c>).
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
        services.AddDatabase();
        services.AddDataProtection().SetApplicationName("LeNet5Web");
        services.AddOptions<KeyManagementOptions>().Configure<Database>((o, database) => o.XmlRepository = new DatabaseXmlRepository(database));
        services.AddSingleton<DataProtectionKeys>();
        services.AddSingleton<AdminToken>();
        services.AddSingleton<AdminSessions>();
        services.AddSingleton<FailedSignIns>();
        services.AddAdminOpenApi();
        services.AddAuthentication(SelectorScheme)
            .AddPolicyScheme(SelectorScheme, "Bearer token (API only) or sign-in cookie", o => o.ForwardDefaultSelector = http =>
                IsApi(http.Request) && http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
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
                // an absolute lifetime: the session (and so the cookie) ends CookieHours after signing in
                o.ExpireTimeSpan = TimeSpan.FromHours(admin.Value.CookieHours);
                o.SlidingExpiration = false;
                o.Events.OnValidatePrincipal = context =>
                {
                    var sessions = context.HttpContext.RequestServices.GetRequiredService<AdminSessions>();
                    if (!sessions.IsActive(context.Principal?.FindFirstValue(AdminSessions.ClaimType))) context.RejectPrincipal();
                    return Task.CompletedTask;
                };
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

    /// <summary>
    /// Authentication and authorization for every request. The admin token is made (and logged, when generated)
    /// now, not on the first sign-in, and the shared key ring gets its key before the first request needs one.
    /// </summary>
    public static WebApplication UseAdmin(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<AdminToken>();
        app.Services.GetRequiredService<DataProtectionKeys>().EnsureKey();
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

    /// <summary>The principal of a signed-in admin; a cookie's names its session.</summary>
    public static ClaimsPrincipal Principal(string scheme, string? session = null) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "admin"), new Claim(ClaimTypes.Role, Role), .. session is null ? Array.Empty<Claim>() : [new Claim(AdminSessions.ClaimType, session)]],
            scheme));

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
                    throw AdminProblems.AntiforgeryMissing(ex.Message);
                }
            }
            return await next(context);
        });

    /// <summary>A 429 problem with Retry-After, for a client that tried too many wrong tokens.</summary>
    public static Task WriteTooManyFailures(HttpContext http, int retryAfterSeconds)
    {
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return ProblemHandling.WriteAsync(http, AdminProblems.TooManyWrongTokens(retryAfterSeconds));
    }

    /// <summary>
    /// A request from a program rather than a browser: the API, and the metrics a scraper reads. Only these take the
    /// bearer token, and they get a 401/403 problem where a page would redirect to the sign-in page.
    /// </summary>
    private static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || request.Path.Equals(Health.HealthEndpoints.MetricsPath, StringComparison.OrdinalIgnoreCase);

    /// <summary>To the sign-in page by a relative address: an absolute one would repeat whatever Host header the request came with.</summary>
    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        var target = Uri.TryCreate(context.RedirectUri, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : context.RedirectUri;
        context.Response.Redirect(target);
        return Task.CompletedTask;
    }

    private static Task WriteProblem(HttpContext http, int status)
    {
        if (status == StatusCodes.Status401Unauthorized) http.Response.Headers.WWWAuthenticate = "Bearer";
        return ProblemHandling.WriteAsync(http, status == StatusCodes.Status401Unauthorized ? AdminProblems.AdminRequired() : AdminProblems.AdminForbidden());
    }

    /// <summary>Authenticates <c>Authorization: Bearer TOKEN</c> against the admin token, refusing a client that guessed wrong too often.</summary>
    private sealed class BearerTokenHandler(
        IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AdminToken token, FailedSignIns failures)
        : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
    {
        private int? _retryAfter;

        protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        {
            var header = Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return Task.FromResult(AuthenticateResult.NoResult());
            var client = Context;
            _retryAfter = failures.RetryAfterSeconds(client);
            if (_retryAfter is not null) return Task.FromResult(AuthenticateResult.Fail("too many wrong admin tokens"));
            if (token.Matches(header["Bearer ".Length..]))
                return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Principal(BearerScheme), BearerScheme)));
            failures.Record(client);
            return Task.FromResult(AuthenticateResult.Fail("wrong admin token"));
        }

        protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
            _retryAfter is { } seconds ? WriteTooManyFailures(Context, seconds) : WriteProblem(Context, StatusCodes.Status401Unauthorized);

        protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => WriteProblem(Context, StatusCodes.Status403Forbidden);
    }
}
