using System.Net;
using IPNetwork = System.Net.IPNetwork;

namespace LeNet5.Web.Features.Health;

/// <summary>
/// Who may read <c>GET /metrics</c> (section <c>Metrics</c>): the operators' view of sign-ins, admin use,
/// errors and training is not public. A scraper either sends the admin token as a bearer token, or
/// comes from one of <see cref="AllowedNetworks"/>. Behind a reverse proxy the address judged is the
/// client's only when the proxy is trusted (section <c>Proxy</c>); otherwise it is the proxy's, so list
/// the scraper's network, not the proxy's.
/// </summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Networks in CIDR form, e.g. <c>10.0.0.0/8</c> or <c>127.0.0.1/32</c>, whose requests need no token (none by default).</summary>
    [Networks]
    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>True for an address in one of <see cref="AllowedNetworks"/>.</summary>
    public bool Allows(IPAddress? address)
    {
        if (address is null) return false;
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        foreach (var network in AllowedNetworks)
            if (IPNetwork.TryParse(network, out var parsed) && parsed.Contains(address)) return true;
        return false;
    }
}
