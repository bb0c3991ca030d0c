using System.Net;
using System.Net.Sockets;

namespace LeNet5.Web.Tests.Support;

/// <summary>Ports on 127.0.0.1 for the servers the tests start.</summary>
public static class LoopbackPort
{
    /// <summary>A port nothing listens on now (another process could take it before the server binds it, which is unlikely).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
