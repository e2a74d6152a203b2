using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace MlOps.Core.Certificates;

/// <summary>
/// Whether a peer's certificate was issued by the cluster CA: a chain built with the CA as the only trusted root
/// (the machine's trust store plays no part), no revocation check (the cluster keeps no CRL yet), no downloads.
/// This is what makes "an agent with a certificate from another CA cannot join".
/// </summary>
public static class ClusterTrust
{
    /// <summary>
    /// Verifies <paramref name="certificate"/> against <paramref name="authority"/>, and, when given, that it may be
    /// used for <paramref name="usage"/> (<see cref="ClusterRoles.ServerAuthentication"/> or
    /// <see cref="ClusterRoles.ClientAuthentication"/>). A CA certificate is never accepted as a node's.
    /// </summary>
    public static CertificateVerdict Verify(X509Certificate2 certificate, X509Certificate2 authority, Oid? usage = null, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(authority);
        if (CertificateFiles.IsAuthority(certificate))
        {
            return new CertificateVerdict(false, ["it is a CA certificate, not a node certificate"]);
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        if (usage is not null)
        {
            chain.ChainPolicy.ApplicationPolicy.Add(usage);
        }

        if (at is { } time)
        {
            chain.ChainPolicy.VerificationTime = time.UtcDateTime;
        }

        try
        {
            var built = chain.Build(certificate);
            var root = chain.ChainElements.Count > 0 ? chain.ChainElements[^1].Certificate : null;
            var problems = chain.ChainStatus
                .Select(s => string.IsNullOrWhiteSpace(s.StatusInformation) ? s.Status.ToString() : s.StatusInformation.Trim())
                .Distinct()
                .ToList();
            if (built && root?.RawDataMemory.Span.SequenceEqual(authority.RawDataMemory.Span) != true)
            {
                problems.Add("the chain does not end at the cluster CA");
            }

            if (!built && problems.Count == 0)
            {
                problems.Add("not issued by the cluster CA");
            }

            return new CertificateVerdict(problems.Count == 0, problems);
        }
        finally
        {
            foreach (var element in chain.ChainElements)
            {
                element.Certificate.Dispose();
            }
        }
    }

    /// <summary>
    /// A TLS callback that accepts a peer only when its certificate verifies against <paramref name="authority"/>
    /// for <paramref name="usage"/>: a server checking agents and clients passes clientAuth, a client checking the
    /// coordinator serverAuth. The system's chain errors are ignored (the cluster CA is not in the machine's store and
    /// need not be); a missing certificate or a host name that does not match still refuses.
    /// </summary>
    public static RemoteCertificateValidationCallback ValidationCallback(X509Certificate2 authority, Oid usage)
    {
        ArgumentNullException.ThrowIfNull(authority);
        ArgumentNullException.ThrowIfNull(usage);
        return (_, certificate, _, errors) =>
            certificate is X509Certificate2 peer
            && (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
            && Verify(peer, authority, usage).Trusted;
    }
}

/// <summary>The outcome of <see cref="ClusterTrust.Verify"/>: trusted, or why not (one line per problem).</summary>
public sealed record CertificateVerdict(bool Trusted, IReadOnlyList<string> Problems);
