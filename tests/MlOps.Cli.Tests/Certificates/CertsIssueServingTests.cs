using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MlOps.Cli;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Certificates;

/// <summary><c>mlops certs issue NAME --role agent --serving</c>: an agent certificate that may also serve TLS on the
/// agent's inference endpoints (Agent:Serving:Tls).</summary>
public sealed class CertsIssueServingTests
{
    [Fact]
    public async Task Issue_AgentServing_ServerAndClientAuthForTheHostNames()
    {
        using var directory = new TempDirectory("mlops-certs");
        await CliRun.RunAsync("certs", "init", "--dir", directory.Path);

        var result = await CliRun.RunAsync("certs", "issue", "gpu-node-01", "--dir", directory.Path, "--role", "agent", "--serving",
            "--dns", "gpu-node-01.lan", "--ip", "10.0.0.7");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("(agent, serving)", result.Out);
        using var ca = CertificateFiles.LoadAuthority(directory.Path);
        using var certificate = CertificateFiles.LoadWithKey(directory.Combine("gpu-node-01.crt"), directory.Combine("gpu-node-01.key"));
        Assert.Equal("CN=gpu-node-01, O=agent", certificate.Subject);
        Assert.Equal(
            [ClusterRoles.ServerAuthentication.Value, ClusterRoles.ClientAuthentication.Value],
            certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["gpu-node-01.lan"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("10.0.0.7")], names.EnumerateIPAddresses());
        Assert.True(ClusterTrust.Verify(certificate, ca, ClusterRoles.ServerAuthentication).Trusted);
        Assert.True(ClusterTrust.Verify(certificate, ca, ClusterRoles.ClientAuthentication).Trusted);
        Assert.True(ClusterIdentity.TryRead(certificate, out var role, out var name));
        Assert.Equal((ClusterRole.Agent, "gpu-node-01"), (role, name));
    }

    [Fact]
    public async Task Issue_AgentWithoutServing_ClientAuthOnly()
    {
        using var directory = new TempDirectory("mlops-certs");
        await CliRun.RunAsync("certs", "init", "--dir", directory.Path);

        await CliRun.RunAsync("certs", "issue", "gpu-node-01", "--dir", directory.Path);

        using var ca = CertificateFiles.LoadAuthority(directory.Path);
        using var certificate = CertificateFiles.LoadCertificate(directory.Combine("gpu-node-01.crt"));
        Assert.False(ClusterTrust.Verify(certificate, ca, ClusterRoles.ServerAuthentication).Trusted);
    }

    [Theory]
    [InlineData("client", "never serves")]
    [InlineData("coordinator", "has server auth already")]
    public async Task Issue_ServingForAnotherRole_UsageErrorAndNothingWritten(string role, string why)
    {
        using var directory = new TempDirectory("mlops-certs");
        await CliRun.RunAsync("certs", "init", "--dir", directory.Path);

        var result = await CliRun.RunAsync("certs", "issue", "node-1", "--dir", directory.Path, "--role", role, "--serving");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains($"--serving is for --role agent (a {role} certificate {why})", result.Error);
        Assert.False(File.Exists(directory.Combine("node-1.crt")));
    }
}
