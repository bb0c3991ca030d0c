namespace LeNet5.Web.Infrastructure;

/// <summary>
/// The headers the most careful sites send: every answer <c>X-Content-Type-Options: nosniff</c> and
/// <c>Referrer-Policy</c>; the pages a Content-Security-Policy that lets them load only this site's
/// own scripts, styles and connections, and never be framed. (The API reference at /scalar, which is
/// the Scalar package's page with its inline scripts, keeps its own rules.)
/// </summary>
public static class SecurityHeaders
{
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((http, next) =>
        {
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            var path = http.Request.Path;
            if (!path.StartsWithSegments("/api") && !path.StartsWithSegments("/scalar") && !path.StartsWithSegments("/openapi"))
            {
                headers.ContentSecurityPolicy = PagePolicy;
                headers.XFrameOptions = "DENY";
            }
            return next(http);
        });
        return app;
    }
}
