using System.Net;
using System.Security.Cryptography.X509Certificates;
using MlOps.Core.Certificates;

namespace MlOps.Serving.Tests.Authentication;

/// <summary>
/// Certificates made with <see cref="ClusterCertificates"/>, in memory: a cluster CA, a serving agent certificate for
/// 127.0.0.1 (serverAuth and clientAuth), a client's and an agent's certificate, and a client certificate from another
/// CA. Made once per test class (xunit class fixture).
/// </summary>
public sealed class TestPki : IDisposable
{
    private readonly X509Certificate2 _authority;
    private readonly X509Certificate2 _otherAuthority;

    public TestPki()
    {
        var now = DateTimeOffset.UtcNow;
        _authority = ClusterCertificates.CreateAuthority("Test Cluster CA", 2, now);
        _otherAuthority = ClusterCertificates.CreateAuthority("Another CA", 2, now);
        Authority = X509CertificateLoader.LoadCertificate(_authority.RawData);
        Server = ClusterCertificates.Issue(_authority, new NodeCertificateRequest("agent-1", ClusterRole.Agent, ["localhost"], [IPAddress.Loopback], 2) { Serving = true }, now);
        Client = ClusterCertificates.Issue(_authority, new NodeCertificateRequest("alice", ClusterRole.Client, [], [], 2), now);
        Agent = ClusterCertificates.Issue(_authority, new NodeCertificateRequest("agent-2", ClusterRole.Agent, [], [], 2), now);
        Foreign = ClusterCertificates.Issue(_otherAuthority, new NodeCertificateRequest("alice", ClusterRole.Client, [], [], 2), now);
    }

    /// <summary>The cluster CA without its key: what servers and clients trust.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>An agent's serving certificate (<c>--serving</c>) naming 127.0.0.1 and localhost.</summary>
    public X509Certificate2 Server { get; }

    /// <summary>A user's client certificate from the cluster CA.</summary>
    public X509Certificate2 Client { get; }

    /// <summary>An agent's certificate (clientAuth only) from the cluster CA.</summary>
    public X509Certificate2 Agent { get; }

    /// <summary>A client certificate from another CA.</summary>
    public X509Certificate2 Foreign { get; }

    public void Dispose()
    {
        foreach (var certificate in new[] { _authority, _otherAuthority, Authority, Server, Client, Agent, Foreign })
        {
            certificate.Dispose();
        }
    }
}
