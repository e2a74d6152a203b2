using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using MlOps.Cli;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Certificates;

public sealed class CertsCommandTests
{
    [Fact]
    public async Task Init_NewDirectory_WritesASelfSignedCaWithItsKeyOwnerOnly()
    {
        using var directory = new TempDirectory("mlops-certs");
        var dir = directory.Combine("pki");

        var result = await CliRun.RunAsync("certs", "init", "--dir", dir, "--name", "Test Cluster CA", "--days", "30");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        using var ca = CertificateFiles.LoadAuthority(dir);
        Assert.Equal("CN=Test Cluster CA", ca.Subject);
        Assert.Equal(ca.Subject, ca.Issuer);
        var constraints = Assert.Single(ca.Extensions.OfType<X509BasicConstraintsExtension>());
        Assert.True(constraints is { Critical: true, CertificateAuthority: true, HasPathLengthConstraint: true, PathLengthConstraint: 0 });
        var usage = Assert.Single(ca.Extensions.OfType<X509KeyUsageExtension>());
        Assert.Equal(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, usage.KeyUsages);
        Assert.Single(ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>());
        Assert.InRange((ca.NotAfter - DateTime.Now).TotalDays, 29.9, 30.1);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(Path.Combine(dir, "ca.key")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "ca.key")));
        }
    }

    [Fact]
    public async Task Init_Twice_RefusesNamingTheFileUnlessForced()
    {
        using var directory = new TempDirectory("mlops-certs");
        await CliRun.RunAsync("certs", "init", "--dir", directory.Path);
        var before = File.ReadAllText(directory.Combine("ca.crt"));

        var again = await CliRun.RunAsync("certs", "init", "--dir", directory.Path);

        Assert.Equal(ExitCodes.Usage, again.ExitCode);
        Assert.Contains(directory.Combine("ca.crt") + " already exists", again.Error);
        Assert.Contains("--force", again.Error);
        Assert.Equal(before, File.ReadAllText(directory.Combine("ca.crt")));

        var forced = await CliRun.RunAsync("certs", "init", "--dir", directory.Path, "--force");

        Assert.True(forced.ExitCode == ExitCodes.Ok, forced.ToString());
        Assert.NotEqual(before, File.ReadAllText(directory.Combine("ca.crt")));
        Assert.Equal(2, Directory.GetFiles(directory.Path).Length);
    }

    [Theory]
    [InlineData("coordinator", new[] { "1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2" })]
    [InlineData("agent", new[] { "1.3.6.1.5.5.7.3.2" })]
    [InlineData("client", new[] { "1.3.6.1.5.5.7.3.2" })]
    public async Task Issue_EachRole_ChainsToTheCaWithTheRolesUsagesAndNames(string role, string[] usages)
    {
        using var directory = new TempDirectory("mlops-certs");
        await CliRun.RunAsync("certs", "init", "--dir", directory.Path);

        var result = await CliRun.RunAsync("certs", "issue", "node-1", "--dir", directory.Path, "--role", role, "--dns", "node-1.lan", "--ip", "10.0.0.7", "--ip", "::1");

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        using var ca = CertificateFiles.LoadAuthority(directory.Path);
        using var certificate = CertificateFiles.LoadWithKey(directory.Combine("node-1.crt"), directory.Combine("node-1.key"));
        Assert.Equal($"CN=node-1, O={role}", certificate.Subject);
        Assert.Equal(usages, certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<Oid>().Select(o => o.Value));
        var names = certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
        Assert.Equal(["node-1.lan"], names.EnumerateDnsNames());
        Assert.Equal([IPAddress.Parse("10.0.0.7"), IPAddress.IPv6Loopback], names.EnumerateIPAddresses());
        Assert.Equal(X509KeyUsageFlags.DigitalSignature, certificate.Extensions.OfType<X509KeyUsageExtension>().Single().KeyUsages);
        Assert.Equal(
            ca.Extensions.OfType<X509SubjectKeyIdentifierExtension>().Single().SubjectKeyIdentifierBytes.ToArray(),
            certificate.Extensions.OfType<X509AuthorityKeyIdentifierExtension>().Single().KeyIdentifier!.Value.ToArray());
        Assert.Equal(16, certificate.SerialNumberBytes.Length);
        Assert.True(ChainsTo(certificate, ca), "the issued certificate does not chain to the CA");
        Assert.True(ClusterTrust.Verify(certificate, ca, ClusterRoles.ClientAuthentication).Trusted);
        Assert.Equal(role == "coordinator", ClusterTrust.Verify(certificate, ca, ClusterRoles.ServerAuthentication).Trusted);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(directory.Combine("node-1.key")));
        }
    }

    [Fact]
    public async Task Issue_NoNames_TheNameIsTheOnlyDnsNameAndDaysAreCutToTheCa()
    {
        using var directory = new TempDirectory("mlops-certs");
        await CliRun.RunAsync("certs", "init", "--dir", directory.Path, "--days", "10");

        var result = await CliRun.RunAsync("certs", "issue", "gpu-node-01", "--dir", directory.Path);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains("cut to the CA's expiry", result.Out);
        using var ca = CertificateFiles.LoadCertificate(directory.Combine("ca.crt"));
        using var certificate = CertificateFiles.LoadCertificate(directory.Combine("gpu-node-01.crt"));
        Assert.Equal("CN=gpu-node-01, O=agent", certificate.Subject);
        Assert.Equal(["gpu-node-01"], certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateDnsNames());
        Assert.Equal(ca.NotAfter, certificate.NotAfter);
    }

    [Fact]
    public async Task Issue_ByAnotherCa_DoesNotChainToThisOne()
    {
        using var directory = new TempDirectory("mlops-certs");
        await CliRun.RunAsync("certs", "init", "--dir", directory.Combine("ours"));
        await CliRun.RunAsync("certs", "init", "--dir", directory.Combine("theirs"));
        await CliRun.RunAsync("certs", "issue", "intruder", "--dir", directory.Combine("theirs"));
        using var ours = CertificateFiles.LoadCertificate(directory.Combine("ours", "ca.crt"));
        using var intruder = CertificateFiles.LoadCertificate(directory.Combine("theirs", "intruder.crt"));

        // Same CA name on both sides: only the signature tells them apart.
        Assert.Equal(ours.Subject, intruder.Issuer);
        Assert.False(ChainsTo(intruder, ours));
        var verdict = ClusterTrust.Verify(intruder, ours, ClusterRoles.ClientAuthentication);
        Assert.False(verdict.Trusted);
        Assert.NotEmpty(verdict.Problems);

        var shown = await CliRun.RunAsync("certs", "show", directory.Combine("theirs", "intruder.crt"), "--dir", directory.Combine("ours"));

        Assert.Equal(ExitCodes.JobFailed, shown.ExitCode);
        Assert.Contains("chains to CA:", shown.Out);
        Assert.Contains("NO:", shown.Out);
    }

    [Fact]
    public async Task Issue_BadOptions_EveryProblemNamedAndNothingWritten()
    {
        using var directory = new TempDirectory("mlops-certs");
        await CliRun.RunAsync("certs", "init", "--dir", directory.Path);

        var result = await CliRun.RunAsync(
            "certs", "issue", "Bad_Name", "--dir", directory.Path, "--role", "boss", "--dns", "a..b", "--ip", "10.1", "--ip", "300.0.0.1", "--days", "0");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("NAME must be 1-63 of a-z 0-9 . -", result.Error);
        Assert.Contains("--role must be one of coordinator, agent, client, got 'boss'", result.Error);
        Assert.Contains("--dns must be a host name", result.Error);
        Assert.Contains("got '10.1'", result.Error);
        Assert.Contains("got '300.0.0.1'", result.Error);
        Assert.Contains("--days must be between 1 and 36500, got 0", result.Error);
        Assert.Equal(["ca.crt", "ca.key"], Directory.GetFiles(directory.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public async Task Issue_NoCa_SaysToRunInit()
    {
        using var directory = new TempDirectory("mlops-certs");

        var result = await CliRun.RunAsync("certs", "issue", "node-1", "--dir", directory.Path);

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains("ca.crt not found", result.Error);
        Assert.Contains("mlops certs init --dir", result.Error);
    }

    [Fact]
    public async Task Issue_Twice_RefusesUnlessForced()
    {
        using var directory = new TempDirectory("mlops-certs");
        await CliRun.RunAsync("certs", "init", "--dir", directory.Path);
        await CliRun.RunAsync("certs", "issue", "node-1", "--dir", directory.Path);

        var again = await CliRun.RunAsync("certs", "issue", "node-1", "--dir", directory.Path);
        var forced = await CliRun.RunAsync("certs", "issue", "node-1", "--dir", directory.Path, "--force");

        Assert.Equal(ExitCodes.Usage, again.ExitCode);
        Assert.Contains("node-1.crt already exists", again.Error);
        Assert.True(forced.ExitCode == ExitCodes.Ok, forced.ToString());
    }

    [Fact]
    public async Task Show_IssuedCertificate_PrintsItsPartsAndThatItChains()
    {
        using var directory = new TempDirectory("mlops-certs");
        await CliRun.RunAsync("certs", "init", "--dir", directory.Path);
        await CliRun.RunAsync("certs", "issue", "coord-1", "--dir", directory.Path, "--role", "coordinator", "--dns", "coord-1", "--ip", "10.0.0.5");

        var result = await CliRun.RunAsync("certs", "show", directory.Combine("coord-1.crt"), "--dir", directory.Path);

        Assert.True(result.ExitCode == ExitCodes.Ok, result.ToString());
        Assert.Contains(result.OutLines, l => l.StartsWith("subject:") && l.EndsWith("CN=coord-1, O=coordinator"));
        Assert.Contains(result.OutLines, l => l.StartsWith("issuer:") && l.EndsWith("CN=MlOps Cluster CA"));
        Assert.Contains(result.OutLines, l => l.StartsWith("extended usage:") && l.EndsWith("serverAuth, clientAuth"));
        Assert.Contains(result.OutLines, l => l.StartsWith("names:") && l.EndsWith("DNS:coord-1, IP:10.0.0.5"));
        Assert.Contains(result.OutLines, l => l.StartsWith("chains to CA:") && l.Contains("yes"));
        Assert.Contains(result.OutLines, l => l.StartsWith("serial:"));
        Assert.Contains(result.OutLines, l => l.StartsWith("not after:"));
    }

    [Fact]
    public async Task Show_NotACertificate_ErrorNamesTheFile()
    {
        using var directory = new TempDirectory("mlops-certs");
        await CliRun.RunAsync("certs", "init", "--dir", directory.Path);

        var result = await CliRun.RunAsync("certs", "show", directory.Combine("ca.key"));

        Assert.Equal(ExitCodes.Error, result.ExitCode);
        Assert.Contains(directory.Combine("ca.key") + " holds no PEM certificate", result.Error);
    }

    /// <summary>X509Chain with the CA as the only trusted root, as a verifier that knows nothing of ClusterTrust would.</summary>
    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }
}
