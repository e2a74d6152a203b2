using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace MlOps.Core.Certificates;

/// <summary>
/// Checks of what goes into a node certificate: its name (the common name and the file name), DNS names and IP
/// addresses. Each returns a problem to show the user, or null when the value is fine.
/// </summary>
public static partial class CertificateNames
{
    /// <summary>
    /// A node name: a host name or agent id, lower case, 1-63 characters. It is also the file name
    /// (<c>NAME.crt</c>), which is why no slash, no upper case and no leading dot can get in.
    /// </summary>
    public static string? NameProblem(string? name) => name is not null && NamePattern().IsMatch(name)
        ? null
        : $"NAME must be 1-63 of a-z 0-9 . - starting with a letter or digit, got '{name}'";

    /// <summary>A DNS name for the subject alternative name: dot-separated labels of letters, digits and inner hyphens.</summary>
    public static string? DnsProblem(string? name) =>
        name is not null && name.Length <= 253 && name.Split('.').All(label => DnsLabelPattern().IsMatch(label))
            ? null
            : $"--dns must be a host name (labels of letters, digits and inner hyphens, joined by dots), got '{name}'";

    /// <summary>
    /// An IPv4 address in dotted-quad form or an IPv6 address. <see cref="IPAddress.TryParse(string?, out IPAddress?)"/>
    /// also takes <c>1</c> or <c>10.1</c> as IPv4; those are refused, since nobody means 0.0.0.1 in a certificate.
    /// </summary>
    public static bool TryParseAddress(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrWhiteSpace(text) || !IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        if (parsed.AddressFamily == AddressFamily.InterNetwork && parsed.ToString() != text)
        {
            return false;
        }

        if (parsed.AddressFamily == AddressFamily.InterNetworkV6 && parsed.ScopeId != 0)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    public static string? AddressProblem(string? text) => TryParseAddress(text, out _)
        ? null
        : $"--ip must be an IPv4 address (a.b.c.d) or an IPv6 address, got '{text}'";

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabelPattern();
}
