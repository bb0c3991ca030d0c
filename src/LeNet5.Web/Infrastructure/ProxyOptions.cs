namespace LeNet5.Web.Infrastructure;

/// <summary>
/// The reverse proxies in front of the app (section <c>Proxy</c>): only their X-Forwarded-For and
/// X-Forwarded-Proto are believed, so that the rate limits see the real client and the sign-in cookie
/// the real scheme. With none configured the headers are ignored.
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "Proxy";

    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.5</c> (environment variables <c>Proxy__KnownProxies__0</c>, ...).</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form, e.g. <c>10.0.0.0/8</c>.</summary>
    [Networks]
    public string[] KnownNetworks { get; set; } = [];

    public bool Any => KnownProxies.Length > 0 || KnownNetworks.Length > 0;
}
