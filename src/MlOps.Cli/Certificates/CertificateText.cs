using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MlOps.Core.Certificates;

namespace MlOps.Cli.Certificates;

/// <summary>How <c>mlops certs</c> prints the parts of a certificate.</summary>
internal static class CertificateText
{
    public static string Time(DateTime time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>SHA-256 of the DER bytes as <c>openssl x509 -fingerprint -sha256</c> prints it, to compare by eye.</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        string.Join(':', certificate.GetCertHash(HashAlgorithmName.SHA256).Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));

    /// <summary><c>DNS:name</c> and <c>IP:address</c>, in the certificate's order.</summary>
    public static IReadOnlyList<string> AlternativeNames(X509Certificate2 certificate)
    {
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().FirstOrDefault();
        return names is null
            ? []
            : [.. names.EnumerateDnsNames().Select(n => "DNS:" + n), .. names.EnumerateIPAddresses().Select(a => "IP:" + a)];
    }

    public static IReadOnlyList<string> ExtendedUsages(X509Certificate2 certificate) =>
        [.. certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>()
            .SelectMany(e => e.EnhancedKeyUsages.Cast<Oid>())
            .Select(oid => oid.Value switch
            {
                var v when v == ClusterRoles.ServerAuthentication.Value => "serverAuth",
                var v when v == ClusterRoles.ClientAuthentication.Value => "clientAuth",
                _ => oid.FriendlyName ?? oid.Value ?? "?",
            })];

    public static string KeyUsage(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509KeyUsageExtension>().FirstOrDefault() is { } usage
            ? string.Join(", ", Enum.GetValues<X509KeyUsageFlags>()
                .Where(flag => flag != X509KeyUsageFlags.None && usage.KeyUsages.HasFlag(flag))
                .Select(flag => flag.ToString()))
            : "";

    public static string Key(X509Certificate2 certificate)
    {
        using var ecdsa = certificate.GetECDsaPublicKey();
        if (ecdsa is not null)
        {
            return $"ECDSA {ecdsa.KeySize} ({ecdsa.ExportParameters(false).Curve.Oid.FriendlyName})";
        }

        using var rsa = certificate.GetRSAPublicKey();
        return rsa is not null ? $"RSA {rsa.KeySize}" : certificate.PublicKey.Oid.FriendlyName ?? "unknown";
    }

    public static string Authority(X509Certificate2 certificate) =>
        certificate.Extensions.OfType<X509BasicConstraintsExtension>().FirstOrDefault() is { CertificateAuthority: true } constraints
            ? constraints.HasPathLengthConstraint ? $"yes (path length {constraints.PathLengthConstraint})" : "yes"
            : "no";
}
