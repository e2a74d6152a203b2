using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MlOps.Core.Certificates;

/// <summary>
/// Creates the cluster's certificate authority and the certificates of its nodes (coordinator, agents, clients), in
/// memory; <see cref="CertificateFiles"/> reads and writes them. Keys are ECDSA P-256: small, fast to sign and verify on
/// every handshake, and supported by every TLS 1.2/1.3 stack the nodes use; hence digitalSignature alone as key usage
/// (keyEncipherment is an RSA key-transport usage).
/// </summary>
public static class ClusterCertificates
{
    public const string DefaultAuthorityName = "MlOps Cluster CA";

    public const int DefaultAuthorityDays = 3650;

    /// <summary>825 days: the longest validity browsers accepted for server certificates (CA/Browser Forum, 2018).</summary>
    public const int DefaultNodeDays = 825;

    /// <summary>Upper bound for <c>--days</c>: a hundred years.</summary>
    public const int MaxDays = 36500;

    /// <summary>Certificates start this long before "now", so a node whose clock is a little behind accepts them.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    public static string? DaysProblem(int days, string option = "--days") => days is >= 1 and <= MaxDays
        ? null
        : $"{option} must be between 1 and {MaxDays}, got {days}";

    /// <summary>
    /// A self-signed CA: basicConstraints CA:true with path length 0 (it signs node certificates only, never another
    /// CA), keyCertSign|cRLSign, and a subject key identifier that issued certificates point back to.
    /// </summary>
    public static X509Certificate2 CreateAuthority(string name, int days, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (DaysProblem(days) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(days), days, problem);
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(name);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(
            certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var signed = request.Create(
            subject.Build(), X509SignatureGenerator.CreateForECDsa(key), now - ClockSkew, now.AddDays(days), RandomSerial());
        return signed.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// A node certificate signed by <paramref name="authority"/> (which must carry its private key): subject
    /// <c>CN=name, O=role</c>, digitalSignature, the extended key usages of <see cref="NodeCertificateRequest.Usages"/>
    /// (the role's, plus serverAuth for a serving agent), the subject alternative names, the authority's key
    /// identifier and a random serial. Its validity is cut to the authority's.
    /// </summary>
    public static X509Certificate2 Issue(X509Certificate2 authority, NodeCertificateRequest node, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(node);
        if (!authority.HasPrivateKey)
        {
            throw new ArgumentException("the authority certificate has no private key", nameof(authority));
        }

        var problems = new[] { CertificateNames.NameProblem(node.Name), DaysProblem(node.Days) }
            .Concat(node.DnsNames.Select(CertificateNames.DnsProblem))
            .OfType<string>()
            .ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(node));
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var subject = new X500DistinguishedNameBuilder();
        // The builder encodes in reverse order of the calls, so O comes first (most general) and it reads "CN=name, O=role".
        subject.AddCommonName(node.Name);
        subject.AddOrganizationName(node.Role.Name());
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([.. node.Usages], critical: false));
        request.CertificateExtensions.Add(AlternativeNames(node));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(AuthorityKeyIdentifier(authority));

        var notBefore = Later(now - ClockSkew, authority.NotBefore);
        var notAfter = Earlier(now.AddDays(node.Days), authority.NotAfter);
        if (notAfter <= notBefore)
        {
            throw new ArgumentException($"the authority expired on {authority.NotAfter.ToUniversalTime():u}", nameof(authority));
        }

        using var signed = request.Create(authority, notBefore, notAfter, RandomSerial());
        return signed.CopyWithPrivateKey(key);
    }

    private static X509Extension AlternativeNames(NodeCertificateRequest node)
    {
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in node.EffectiveDnsNames.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            names.AddDnsName(dns);
        }

        foreach (var address in node.Addresses.Distinct())
        {
            names.AddIpAddress(address);
        }

        return names.Build(critical: false);
    }

    private static X509AuthorityKeyIdentifierExtension AuthorityKeyIdentifier(X509Certificate2 authority)
    {
        var subjectKey = authority.Extensions.OfType<X509SubjectKeyIdentifierExtension>().FirstOrDefault()
            ?? new X509SubjectKeyIdentifierExtension(authority.PublicKey, critical: false);
        return X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier(subjectKey);
    }

    /// <summary>
    /// 16 random bytes with the top bits set to 01: positive (RFC 5280 4.1.2.2) and always 16 bytes long, so 126
    /// random bits, well above the 64 the CA/Browser Forum asks for.
    /// </summary>
    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] = (byte)((serial[0] & 0x3F) | 0x40);
        return serial;
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTime b) => a > new DateTimeOffset(b.ToUniversalTime()) ? a : new DateTimeOffset(b.ToUniversalTime());

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTime b) => a < new DateTimeOffset(b.ToUniversalTime()) ? a : new DateTimeOffset(b.ToUniversalTime());
}
