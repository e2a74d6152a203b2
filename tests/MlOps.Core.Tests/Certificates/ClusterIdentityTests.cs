using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.Core.Tests.Certificates;

public sealed class ClusterIdentityTests
{
    [Theory]
    [InlineData(ClusterRole.Coordinator, "coord-1")]
    [InlineData(ClusterRole.Agent, "gpu-node-01")]
    [InlineData(ClusterRole.Client, "alice")]
    public void TryRead_IssuedCertificate_RoleAndCommonName(ClusterRole role, string name)
    {
        using var directory = new TempDirectory("mlops-identity");
        using var pki = new ClusterPki(directory.Path);
        pki.Issue(name, role);
        using var certificate = pki.Load(name);

        Assert.True(ClusterIdentity.TryRead(certificate, out var readRole, out var readName));
        Assert.Equal(role, readRole);
        Assert.Equal(name, readName);
    }

    [Theory]
    [InlineData("CN=gpu-node-01")]
    [InlineData("O=agent")]
    [InlineData("CN=gpu-node-01, O=Agent")]
    [InlineData("CN=gpu-node-01, O=operators")]
    [InlineData("CN=Gpu Node, O=agent")]
    [InlineData("CN=a, CN=b, O=agent")]
    public void TryRead_NotAClusterSubject_False(string subject)
    {
        using var certificate = SelfSigned(subject);

        Assert.False(ClusterIdentity.TryRead(certificate, out _, out var name));
        Assert.Equal("", name);
    }

    [Fact]
    public void TryRead_Null_False() => Assert.False(ClusterIdentity.TryRead(null, out _, out _));

    private static X509Certificate2 SelfSigned(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(1));
    }
}
