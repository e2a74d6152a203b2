using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace MlOps.Coordinator.Configuration;

/// <summary>
/// A parsed <see cref="CoordinatorOptions.Listen"/> value: where Kestrel binds its HTTP/2 endpoint, over TLS
/// (<c>https://</c>) or without (<c>http://</c>, h2c).
/// </summary>
internal sealed record ListenAddress(string Host, int Port, bool IsHttps = false)
{
    /// <summary>True when the host is <c>localhost</c>: Kestrel then binds the loopback addresses.</summary>
    public bool IsLocalhost => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the host is <c>*</c>, <c>0.0.0.0</c> or <c>[::]</c>: every interface.</summary>
    public bool IsAnyAddress => Host is "*" or "0.0.0.0" or "::";

    /// <summary>The IP address to bind, or null for <c>localhost</c> and every-interface hosts.</summary>
    public IPAddress? Address => IsLocalhost || IsAnyAddress ? null : IPAddress.Parse(Host);

    /// <summary>True when only this machine can connect: <c>localhost</c>, 127.0.0.0/8 or <c>::1</c> (also an IPv4
    /// loopback address mapped to IPv6). Every-interface hosts are not loopback.</summary>
    public bool IsLoopback => IsLocalhost || (!IsAnyAddress && IPAddress.IsLoopback(Address!.IsIPv4MappedToIPv6 ? Address.MapToIPv4() : Address));

    /// <summary><c>https</c> or <c>http</c>.</summary>
    public string Scheme => IsHttps ? Uri.UriSchemeHttps : Uri.UriSchemeHttp;

    /// <summary>Parses <c>http://HOST:PORT</c> or <c>https://HOST:PORT</c>. Returns false with a message saying what is wrong.</summary>
    public static bool TryParse(string? value, [NotNullWhen(true)] out ListenAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        error = null;
        if (string.IsNullOrWhiteSpace(value))
        {
            error = "is required, e.g. http://127.0.0.1:7070";
            return false;
        }

        // '*' is not a valid URI host, so it is swapped for a placeholder before parsing.
        var prefix = value.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "https://" : "http://";
        var wildcard = value.StartsWith(prefix + "*:", StringComparison.OrdinalIgnoreCase);
        var parsable = wildcard ? prefix + "0.0.0.0:" + value[(prefix.Length + 2)..] : value;
        if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri))
        {
            error = $"'{value}' is not an absolute URL; expected http://HOST:PORT or https://HOST:PORT";
            return false;
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            error = $"'{value}' uses scheme '{uri.Scheme}'; the coordinator serves HTTP/2 over TLS (https://) or, on loopback, without (http://)";
            return false;
        }

        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
        {
            error = $"'{value}' has a path or query; expected {prefix}HOST:PORT";
            return false;
        }

        if (!HasExplicitPort(value, prefix))
        {
            error = $"'{value}' has no port; expected {prefix}HOST:PORT (port 0 picks a free one)";
            return false;
        }

        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        if (!string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(host, out _))
        {
            error = $"'{value}' names host '{host}'; use an IP address, localhost or *";
            return false;
        }

        address = new ListenAddress(wildcard ? "*" : host, uri.Port, uri.Scheme == Uri.UriSchemeHttps);
        return true;
    }

    private static bool HasExplicitPort(string value, string prefix)
    {
        var authority = value[prefix.Length..].TrimEnd('/');
        var colon = authority.LastIndexOf(':');
        return colon >= 0 && colon > authority.LastIndexOf(']') &&
               int.TryParse(authority[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }
}
