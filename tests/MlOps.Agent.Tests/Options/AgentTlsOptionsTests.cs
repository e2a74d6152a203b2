using MlOps.Agent.Options;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Options;

/// <summary><c>Agent:Tls</c> with <c>Agent:CoordinatorAddress</c> and the default <c>Agent:Id</c>.</summary>
public sealed class AgentTlsOptionsTests : IDisposable
{
    private readonly TempDirectory _directory = new("mlops-agent-tls");
    private readonly ClusterPki _pki;

    public AgentTlsOptionsTests() => _pki = new ClusterPki(_directory.Path);

    [Fact]
    public void Validate_HttpsCoordinatorsWithAgentCertificate_Succeeds()
    {
        var options = new AgentOptions
        {
            Id = "node-1",
            CoordinatorAddress = "https://coord-1:7070,https://coord-2:7070",
            Tls = _pki.Issue("node-1", ClusterRole.Agent),
        };

        var result = new AgentOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_HttpsCoordinatorWithoutTls_NeedsAgentTls()
    {
        var options = new AgentOptions { Id = "node-1", CoordinatorAddress = "http://127.0.0.1:7070,https://coord-2:7070" };

        var failure = Assert.Single(new AgentOptionsValidator().Validate(null, options).Failures!);

        Assert.StartsWith("Agent:CoordinatorAddress 'http://127.0.0.1:7070,https://coord-2:7070' uses https://, which needs Agent:Tls", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ClientCertificate_NotAnAgentsNamingTheKey()
    {
        var options = new AgentOptions { Id = "alice", CoordinatorAddress = "https://coord-1:7070", Tls = _pki.Issue("alice", ClusterRole.Client) };

        var failure = Assert.Single(new AgentOptionsValidator().Validate(null, options).Failures!);

        Assert.StartsWith("Agent:Tls:CertificateFile", failure, StringComparison.Ordinal);
        Assert.Contains("is a client certificate", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PartialTlsAndMissingFile_ListsEach()
    {
        var options = new AgentOptions
        {
            Id = "node-1",
            CoordinatorAddress = "https://coord-1:7070",
            Tls = new TlsFiles { CertificateFile = _directory.Combine("node-1.crt"), KeyFile = _directory.Combine("node-1.key") },
        };

        var failure = Assert.Single(new AgentOptionsValidator().Validate(null, options).Failures!);

        Assert.StartsWith("Agent:Tls needs CertificateFile, KeyFile and AuthorityFile together", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void PostConfigure_TlsWithoutId_IdIsTheCertificatesCommonName()
    {
        var options = new AgentOptions { Tls = _pki.Issue("gpu-node-07", ClusterRole.Agent) };

        new AgentOptionsValidator().PostConfigure(null, options);

        Assert.Equal("gpu-node-07", options.Id);
    }

    [Fact]
    public void PostConfigure_TlsAndAnId_KeepsTheId()
    {
        var options = new AgentOptions { Id = "configured", Tls = _pki.Issue("gpu-node-07", ClusterRole.Agent) };

        new AgentOptionsValidator().PostConfigure(null, options);

        Assert.Equal("configured", options.Id);
    }

    [Fact]
    public void PostConfigure_UnreadableCertificate_FallsBackToTheHostNameAndValidationNamesTheFile()
    {
        var tls = _pki.Files("missing");
        var options = new AgentOptions { Tls = tls };

        new AgentOptionsValidator().PostConfigure(null, options);

        Assert.Equal(Environment.MachineName.ToLowerInvariant(), options.Id);
        Assert.Contains(new AgentOptionsValidator().Validate(null, options).Failures!, f => f == $"Agent:Tls:CertificateFile {tls.CertificateFile} not found");
    }

    public void Dispose()
    {
        _pki.Dispose();
        _directory.Dispose();
    }
}
