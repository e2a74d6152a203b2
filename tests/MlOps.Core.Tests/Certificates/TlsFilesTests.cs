using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.Core.Tests.Certificates;

public sealed class TlsFilesTests : IDisposable
{
    private const string Section = "Coordinator:Tls";
    private readonly TempDirectory _directory = new("mlops-tlsfiles");
    private readonly ClusterPki _pki;

    public TlsFilesTests() => _pki = new ClusterPki(_directory.Path);

    [Fact]
    public void Problems_NoneSet_NoneAndDisabled()
    {
        var files = new TlsFiles();

        Assert.False(files.Enabled);
        Assert.Empty(files.Problems(Section, ClusterRoles.ServerAuthentication));
    }

    [Fact]
    public void Problems_CoordinatorCertificateFromTheCa_None()
    {
        var files = _pki.Issue("coord-1", ClusterRole.Coordinator);

        Assert.True(files.Enabled);
        Assert.Empty(files.Problems(Section, ClusterRoles.ServerAuthentication, ClusterRole.Coordinator));
        using var loaded = files.Load();
        Assert.True(loaded.Certificate.HasPrivateKey);
        Assert.Equal("CN=Test Cluster CA", loaded.Authority.Subject);
    }

    [Fact]
    public void Problems_PartialSet_NamesWhatIsMissing()
    {
        var files = new TlsFiles { CertificateFile = "/etc/mlops/tls/coordinator.crt" };

        var problem = Assert.Single(files.Problems(Section, ClusterRoles.ServerAuthentication));

        Assert.StartsWith("Coordinator:Tls needs CertificateFile, KeyFile and AuthorityFile together", problem, StringComparison.Ordinal);
        Assert.Contains("KeyFile and AuthorityFile are not set", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_RelativePath_NamesTheKey()
    {
        var files = _pki.Issue("coord-1", ClusterRole.Coordinator);
        files.KeyFile = "coord-1.key";

        var problem = Assert.Single(files.Problems(Section, ClusterRoles.ServerAuthentication));

        Assert.Equal("Coordinator:Tls:KeyFile must be an absolute path, got 'coord-1.key'", problem);
    }

    [Fact]
    public void Problems_MissingFiles_EachNamedWithItsKey()
    {
        var files = _pki.Files("nobody");
        files.AuthorityFile = _directory.Combine("missing-ca.crt");

        var problems = files.Problems(Section, ClusterRoles.ServerAuthentication);

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p == $"Coordinator:Tls:AuthorityFile {files.AuthorityFile} not found");
        Assert.Contains(problems, p => p == $"Coordinator:Tls:CertificateFile {files.CertificateFile} not found");
        Assert.Contains(problems, p => p == $"Coordinator:Tls:KeyFile {files.KeyFile} not found");
    }

    [Fact]
    public void Problems_NotPem_NamesTheFile()
    {
        var files = _pki.Issue("coord-1", ClusterRole.Coordinator);
        File.WriteAllText(files.CertificateFile, "not a certificate\n");

        var problems = files.Problems(Section, ClusterRoles.ServerAuthentication);

        Assert.Contains(problems, p => p.StartsWith($"Coordinator:Tls:CertificateFile {files.CertificateFile} holds no PEM certificate", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_KeyOfAnotherCertificate_NamesKeyFile()
    {
        var files = _pki.Issue("coord-1", ClusterRole.Coordinator);
        var other = _pki.Issue("coord-2", ClusterRole.Coordinator);
        files.KeyFile = other.KeyFile;

        var problem = Assert.Single(files.Problems(Section, ClusterRoles.ServerAuthentication));

        Assert.StartsWith($"Coordinator:Tls:KeyFile {other.KeyFile} is not the private key of {files.CertificateFile}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_CertificateFromAnotherCa_NotSignedByTheAuthority()
    {
        using var elsewhere = new TempDirectory("mlops-tlsfiles-other");
        using var otherPki = new ClusterPki(elsewhere.Path, "Other CA");
        var files = otherPki.Issue("coord-1", ClusterRole.Coordinator);
        files.AuthorityFile = _pki.AuthorityFile;

        var problem = Assert.Single(files.Problems(Section, ClusterRoles.ServerAuthentication));

        Assert.StartsWith($"Coordinator:Tls:CertificateFile {files.CertificateFile} is not signed by the authority in {_pki.AuthorityFile}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_AgentCertificateForAServer_LacksServerAuth()
    {
        var files = _pki.Issue("node-1", ClusterRole.Agent);

        var problem = Assert.Single(files.Problems(Section, ClusterRoles.ServerAuthentication));

        Assert.StartsWith($"Coordinator:Tls:CertificateFile {files.CertificateFile} lacks the serverAuth extended key usage", problem, StringComparison.Ordinal);
        Assert.Contains("--role coordinator", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_AuthorityIsANodeCertificate_NotACa()
    {
        var files = _pki.Issue("coord-1", ClusterRole.Coordinator);
        files.AuthorityFile = files.CertificateFile;

        var problem = Assert.Single(files.Problems(Section, ClusterRoles.ServerAuthentication));

        Assert.StartsWith($"Coordinator:Tls:AuthorityFile {files.CertificateFile} is not a CA certificate", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_ClientCertificateWhereAnAgentIsNeeded_NamesBothRoles()
    {
        var files = _pki.Issue("alice", ClusterRole.Client);

        var problem = Assert.Single(files.Problems("Agent:Tls", ClusterRoles.ClientAuthentication, ClusterRole.Agent));

        Assert.StartsWith($"Agent:Tls:CertificateFile {files.CertificateFile} is a client certificate", problem, StringComparison.Ordinal);
        Assert.Contains("--role agent", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_ExpiredOrNotYetValid_SaysWhen()
    {
        var files = _pki.Issue("coord-1", ClusterRole.Coordinator, days: 1);

        var problem = Assert.Single(files.Problems(Section, ClusterRoles.ServerAuthentication, now: DateTimeOffset.UtcNow.AddDays(2)));

        Assert.StartsWith($"Coordinator:Tls:CertificateFile {files.CertificateFile} is not valid now", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_UnreadableKey_SaysSo()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
        {
            return; // root reads any file: nothing to refuse
        }

        var files = _pki.Issue("coord-1", ClusterRole.Coordinator);
        File.SetUnixFileMode(files.KeyFile, UnixFileMode.None);

        var problem = Assert.Single(files.Problems(Section, ClusterRoles.ServerAuthentication));

        Assert.StartsWith($"Coordinator:Tls:KeyFile cannot read {files.KeyFile}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void UsageName_KnownUsages_AsCertsShowPrintsThem()
    {
        Assert.Equal("serverAuth", TlsFiles.UsageName(ClusterRoles.ServerAuthentication));
        Assert.Equal("clientAuth", TlsFiles.UsageName(ClusterRoles.ClientAuthentication));
    }

    public void Dispose()
    {
        _pki.Dispose();
        _directory.Dispose();
    }
}
