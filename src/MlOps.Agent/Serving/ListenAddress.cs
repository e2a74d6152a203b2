using System.Net;

namespace MlOps.Agent.Serving;

/// <summary>An <c>http://HOST:PORT</c> listen address for Kestrel (no TLS on these endpoints yet).</summary>
internal static class ListenAddress
{
    public static bool TryParse(string text, out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.Loopback, 0);
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "http" || uri.Port is < 0 or > 65535)
        {
            return false;
        }

        IPAddress? address = uri.Host switch
        {
            "localhost" => IPAddress.Loopback,
            "*" or "0.0.0.0" => IPAddress.Any,
            _ => IPAddress.TryParse(uri.Host.Trim('[', ']'), out var parsed) ? parsed : null,
        };
        if (address is null)
        {
            return false;
        }

        endPoint = new IPEndPoint(address, uri.Port);
        return true;
    }
}
