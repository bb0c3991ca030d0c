using System.Net;
using System.Net.Sockets;

namespace LeNet5.Web.Infrastructure;

/// <summary>
/// Who a request counts against for the per-client limits: its IPv4 address, or the /64 network of
/// an IPv6 one (a single subscriber is given a whole /64, and could otherwise take a fresh address
/// for every request). Behind a configured proxy the address is the one it forwarded (see <see cref="Edge"/>).
/// </summary>
public static class ClientKey
{
    public static string Of(HttpContext http) => Of(http.Connection.RemoteIpAddress);

    public static string Of(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
