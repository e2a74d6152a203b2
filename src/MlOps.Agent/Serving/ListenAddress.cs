using System.Net;

namespace MlOps.Agent.Serving;

/// <summary>An <c>http://HOST:PORT</c> listen address for Kestrel, or <c>https://HOST:PORT</c> where TLS is allowed.</summary>
internal static class ListenAddress
{
    /// <summary>An <c>http://</c> address only.</summary>
    public static bool TryParse(string text, out IPEndPoint endPoint) => TryParse(text, out endPoint, out var https) && !https;

    /// <summary>An <c>http://</c> or <c>https://</c> address; <paramref name="https"/> says which.</summary>
    public static bool TryParse(string text, out IPEndPoint endPoint, out bool https)
    {
        endPoint = new IPEndPoint(IPAddress.Loopback, 0);
        https = false;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https") || uri.Port is < 0 or > 65535)
        {
            return false;
        }

        https = uri.Scheme == "https";

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
