using System.Net;
using System.Net.Sockets;

namespace MlOps.Testing;

/// <summary>Loopback ports for servers started by tests, so tests run in parallel.</summary>
public static class FreePort
{
    /// <summary>A port that was free a moment ago (the OS picks it; another process could take it before use).</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
