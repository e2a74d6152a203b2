using MlOps.Coordinator.Configuration;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Configuration;

/// <summary><c>Coordinator:Listen</c> with <c>Coordinator:Tls</c>: TLS wherever the API leaves this machine.</summary>
public sealed class CoordinatorTlsOptionsTests : IDisposable
{
    private readonly TempDirectory _directory = new("mlops-coordinator-tls");
    private readonly ClusterPki _pki;

    public CoordinatorTlsOptionsTests() => _pki = new ClusterPki(_directory.Path);

    [Theory]
    [InlineData("http://*:7070")]
    [InlineData("http://0.0.0.0:7070")]
    [InlineData("http://[::]:7070")]
    [InlineData("http://10.0.0.5:7070")]
    public void Validate_PlaintextBeyondLoopback_RefusedNamingTls(string listen)
    {
        var result = new CoordinatorOptionsValidator().Validate(null, new CoordinatorOptions { Listen = listen });

        // Coordinator:Auth:Enabled is refused too (authentication needs TLS or must be on beyond loopback); the
        // transport error is the one this test is about.
        var failure = Assert.Single(result.Failures!, f => !f.StartsWith("Coordinator:Auth", StringComparison.Ordinal));
        Assert.StartsWith("Coordinator:Listen", failure, StringComparison.Ordinal);
        Assert.Contains("without TLS", failure, StringComparison.Ordinal);
        Assert.Contains("Coordinator:Tls", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:7070")]
    [InlineData("http://localhost:0")]
    [InlineData("http://[::1]:7070")]
    public void Validate_PlaintextOnLoopback_Succeeds(string listen)
    {
        var result = new CoordinatorOptionsValidator().Validate(null, new CoordinatorOptions { Listen = listen });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("https://*:7070")]
    [InlineData("https://127.0.0.1:0")]
    public void Validate_HttpsWithCoordinatorCertificate_Succeeds(string listen)
    {
        var options = new CoordinatorOptions { Listen = listen, Tls = _pki.Issue("coord-1", ClusterRole.Coordinator), Auth = Authenticated };

        var result = new CoordinatorOptionsValidator().Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_HttpsWithoutTls_NeedsTls()
    {
        var result = new CoordinatorOptionsValidator().Validate(null, new CoordinatorOptions { Listen = "https://*:7070", Auth = Authenticated });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Coordinator:Listen 'https://*:7070' serves TLS, which needs Coordinator:Tls", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TlsWithHttpListen_NeedsHttps()
    {
        var options = new CoordinatorOptions { Listen = "http://127.0.0.1:7070", Tls = _pki.Issue("coord-1", ClusterRole.Coordinator) };

        var result = new CoordinatorOptionsValidator().Validate(null, options);

        var failure = Assert.Single(result.Failures!);
        Assert.Equal("Coordinator:Listen must be https://HOST:PORT when Coordinator:Tls is set, got 'http://127.0.0.1:7070'", failure);
    }

    [Fact]
    public void Validate_BadTlsFiles_EveryProblemNamesItsKey()
    {
        var tls = _pki.Issue("node-1", ClusterRole.Agent);
        tls.AuthorityFile = _directory.Combine("nowhere", "ca.crt");
        var options = new CoordinatorOptions { Listen = "https://*:7070", Tls = tls, DefaultMaxAttempts = 0, Auth = Authenticated };

        var failures = new CoordinatorOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith($"Coordinator:Tls:AuthorityFile {tls.AuthorityFile} not found", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Coordinator:DefaultMaxAttempts", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_AgentCertificateAsTheServers_LacksServerAuth()
    {
        var options = new CoordinatorOptions { Listen = "https://*:7070", Tls = _pki.Issue("node-1", ClusterRole.Agent), Auth = Authenticated };

        var failure = Assert.Single(new CoordinatorOptionsValidator().Validate(null, options).Failures!);

        Assert.StartsWith("Coordinator:Tls:CertificateFile", failure, StringComparison.Ordinal);
        Assert.Contains("lacks the serverAuth extended key usage", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HttpsMetricsListener_Refused()
    {
        var options = new CoordinatorOptions { MetricsListen = "https://127.0.0.1:9464" };

        var failure = Assert.Single(new CoordinatorOptionsValidator().Validate(null, options).Failures!);

        Assert.StartsWith("Coordinator:MetricsListen", failure, StringComparison.Ordinal);
        Assert.Contains("scheme 'https'", failure, StringComparison.Ordinal);
    }

    /// <summary>Authentication on: what a coordinator listening beyond loopback needs besides TLS.</summary>
    private static MlOps.Coordinator.Access.AccessOptions Authenticated => new() { Enabled = true };

    public void Dispose()
    {
        _pki.Dispose();
        _directory.Dispose();
    }
}
