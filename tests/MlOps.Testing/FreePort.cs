using System.Net;
using System.Net.Sockets;

namespace MlOps.Testing;

/// <summary>
/// Loopback ports for servers started by tests, so tests run in parallel. Ports come from below Linux's ephemeral
/// range (32768 and up): a port the OS hands out for "any free port" can be taken, between our check and the
/// server's bind, by the source port of some other test's outgoing connection; a port below the range cannot. A port
/// is never handed out twice by one process, and it was free (TCP, and UDP when asked) a moment ago.
/// </summary>
public static class FreePort
{
    private const int Low = 20_000;
    private const int High = 32_000;
    private static readonly HashSet<int> Given = [];

    /// <summary>A loopback port that was free a moment ago; <paramref name="udp"/> also checks UDP (Consul's serf).</summary>
    public static int Next(bool udp = false)
    {
        lock (Given)
        {
            for (var tries = 0; tries < 1_000; tries++)
            {
                var port = Random.Shared.Next(Low, High);
                if (Given.Add(port) && IsFree(port, udp))
                {
                    return port;
                }
            }
        }

        using var listener = new TcpListener(IPAddress.Loopback, 0); // the range is exhausted: let the OS pick
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port, bool udp)
    {
        try
        {
            var tcp = new TcpListener(IPAddress.Loopback, port);
            tcp.Start();
            tcp.Stop();
            if (udp)
            {
                using var client = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            }

            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
