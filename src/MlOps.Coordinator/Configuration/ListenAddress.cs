using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;

namespace MlOps.Coordinator.Configuration;

/// <summary>A parsed <see cref="CoordinatorOptions.Listen"/> value: where Kestrel binds its HTTP/2 (h2c) endpoint.</summary>
internal sealed record ListenAddress(string Host, int Port)
{
    /// <summary>True when the host is <c>localhost</c>: Kestrel then binds the loopback addresses.</summary>
    public bool IsLocalhost => string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the host is <c>*</c>, <c>0.0.0.0</c> or <c>[::]</c>: every interface.</summary>
    public bool IsAnyAddress => Host is "*" or "0.0.0.0" or "::";

    /// <summary>The IP address to bind, or null for <c>localhost</c> and every-interface hosts.</summary>
    public IPAddress? Address => IsLocalhost || IsAnyAddress ? null : IPAddress.Parse(Host);

    /// <summary>Parses <c>http://HOST:PORT</c>. Returns false with a message saying what is wrong.</summary>
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
        var wildcard = value.StartsWith("http://*:", StringComparison.OrdinalIgnoreCase);
        var parsable = wildcard ? "http://0.0.0.0:" + value["http://*:".Length..] : value;
        if (!Uri.TryCreate(parsable, UriKind.Absolute, out var uri))
        {
            error = $"'{value}' is not an absolute URL; expected http://HOST:PORT";
            return false;
        }

        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            error = $"'{value}' uses scheme '{uri.Scheme}'; the coordinator serves HTTP/2 without TLS (h2c), so use http://";
            return false;
        }

        if (uri.AbsolutePath != "/" || !string.IsNullOrEmpty(uri.Query))
        {
            error = $"'{value}' has a path or query; expected http://HOST:PORT";
            return false;
        }

        if (!HasExplicitPort(value))
        {
            error = $"'{value}' has no port; expected http://HOST:PORT (port 0 picks a free one)";
            return false;
        }

        var host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        if (!string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) && !IPAddress.TryParse(host, out _))
        {
            error = $"'{value}' names host '{host}'; use an IP address, localhost or *";
            return false;
        }

        address = new ListenAddress(wildcard ? "*" : host, uri.Port);
        return true;
    }

    private static bool HasExplicitPort(string value)
    {
        var authority = value["http://".Length..].TrimEnd('/');
        var colon = authority.LastIndexOf(':');
        return colon >= 0 && colon > authority.LastIndexOf(']') &&
               int.TryParse(authority[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }
}
