using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using IPNetwork = System.Net.IPNetwork;

namespace LeNet5.Web.Infrastructure;

/// <summary>
/// What happens first to every request, at the edge of the app. Behind configured proxies
/// (<see cref="ProxyOptions"/>), the client and scheme they forwarded replace the connection's.
/// Then the headers the most careful sites send: every answer <c>X-Content-Type-Options: nosniff</c>
/// and <c>Referrer-Policy</c>; the pages a Content-Security-Policy that lets them load only this
/// site's own scripts, styles and connections, and never be framed. (The API reference at /scalar,
/// which is the Scalar package's page with its inline scripts, keeps its own rules.)
/// </summary>
public static class Edge
{
    public const string PagePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static IServiceCollection AddEdge(this IServiceCollection services)
    {
        services.AddSettings<ProxyOptions>(ProxyOptions.Section);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxies) =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear(); // not even loopback is believed unless configured
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.Value.KnownProxies) forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in proxies.Value.KnownNetworks) forwarded.KnownIPNetworks.Add(IPNetwork.Parse(network));
        });
        return services;
    }

    public static WebApplication UseEdge(this WebApplication app)
    {
        if (app.Services.GetRequiredService<IOptions<ProxyOptions>>().Value.Any) app.UseForwardedHeaders();
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
