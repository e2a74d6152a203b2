using System.Net;

namespace MlOps.Core.Certificates;

/// <summary>
/// What <see cref="ClusterCertificates.Issue"/> puts into a node certificate.
/// </summary>
/// <param name="Name">The common name: a host name or agent id (<see cref="CertificateNames.NameProblem"/>).</param>
/// <param name="Role">The organisation (<c>O=agent</c>) and the extended key usages.</param>
/// <param name="DnsNames">DNS subject alternative names; with no addresses either, <paramref name="Name"/> alone.</param>
/// <param name="Addresses">IP subject alternative names.</param>
/// <param name="Days">Days of validity from now; cut to the authority's own expiry.</param>
public sealed record NodeCertificateRequest(
    string Name, ClusterRole Role, IReadOnlyList<string> DnsNames, IReadOnlyList<IPAddress> Addresses, int Days)
{
    /// <summary>The DNS names the certificate gets: <see cref="DnsNames"/>, or the name when no SAN was given.</summary>
    public IReadOnlyList<string> EffectiveDnsNames => DnsNames.Count == 0 && Addresses.Count == 0 ? [Name] : DnsNames;
}
