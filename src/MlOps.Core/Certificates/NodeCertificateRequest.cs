using System.Net;
using System.Security.Cryptography;

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

    /// <summary>
    /// An agent that also serves TLS on its inference endpoints (<c>Agent:Serving:Tls</c>): its certificate gets
    /// serverAuth besides clientAuth, for the host names clients dial. Default false. Only meaningful for
    /// <see cref="ClusterRole.Agent"/>: a coordinator has serverAuth anyway, a client never serves.
    /// </summary>
    public bool Serving { get; init; }

    /// <summary>The extended key usages: the role's, plus serverAuth for a <see cref="Serving"/> agent.</summary>
    public IReadOnlyList<Oid> Usages => Serving && Role == ClusterRole.Agent
        ? [ClusterRoles.ServerAuthentication, ClusterRoles.ClientAuthentication]
        : Role.Usages();
}
