using MlOps.Agent.Options;
using MlOps.Agent.Serving;
using MlOps.Core.Certificates;
using MlOps.Serving.Authentication;

namespace MlOps.Agent.Tests.Serving;

/// <summary>
/// <c>Agent:Serving:Auth</c> and <c>Agent:Serving:Tls</c> as the agent reads and checks them at start: every problem
/// named by its key, TLS files from the serving section or (for the certificate modes) from <c>Agent:Tls</c>, and
/// listen/advertise schemes that follow TLS.
/// </summary>
public sealed class ServingSecurityTests : IDisposable
{
    private readonly ServingPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private static AgentOptions Options(string auth, string grpc = "http://127.0.0.1:8001", string rest = "http://127.0.0.1:8000")
    {
        var options = new AgentOptions { Id = "a1" };
        options.Serving.Auth = auth;
        options.Serving.GrpcListen = grpc;
        options.Serving.RestListen = rest;
        return options;
    }

    [Fact]
    public void From_Default_NoneWithoutTls()
    {
        var security = ServingSecurity.From(new AgentOptions());

        Assert.Equal(InferenceAuthMode.None, security.Mode);
        Assert.False(security.UsesTls);
        Assert.Equal("http", security.Scheme);
        Assert.Empty(ServingSecurity.Problems(Options("none")));
    }

    [Fact]
    public void Problems_UnknownAuth_NamesTheKeyAndTheChoices()
    {
        var problems = ServingSecurity.Problems(Options("bearer"));

        Assert.Equal("Agent:Serving:Auth must be one of none, token, mtls, token-or-mtls, got 'bearer'", Assert.Single(problems));
    }

    [Fact]
    public void Problems_TokenWithoutTls_Allowed()
    {
        var security = ServingSecurity.From(Options("token"));

        Assert.Equal(InferenceAuthMode.Token, security.Mode);
        Assert.False(security.UsesTls);
        Assert.Empty(ServingSecurity.Problems(Options("token")));
    }

    [Theory]
    [InlineData("mtls")]
    [InlineData("token-or-mtls")]
    public void Problems_CertificateModeWithoutTls_SaysTlsIsNeeded(string auth)
    {
        var problems = ServingSecurity.Problems(Options(auth));

        Assert.Contains(problems, p => p.StartsWith($"Agent:Serving:Auth '{auth}' needs TLS: set Agent:Serving:Tls:CertificateFile", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_ServingTlsWithAServingCertificateAndHttpsAddresses_None()
    {
        var options = Options("mtls", "https://127.0.0.1:8001", "https://0.0.0.0:8000");
        options.Serving.Tls = _pki.IssueServing("agent-1");
        options.Serving.GrpcAdvertise = "https://agent-1.lan:8001";

        var security = ServingSecurity.From(options);

        Assert.Empty(ServingSecurity.Problems(options));
        Assert.True(security.UsesTls);
        Assert.Equal(ServingSecurity.ServingTlsSection, security.TlsSection);
        Assert.Equal("https", security.Scheme);
    }

    [Fact]
    public void Problems_TlsWithHttpAddresses_EachNamedWithTheSchemeToUse()
    {
        var options = Options("token", "http://127.0.0.1:8001", "http://127.0.0.1:8000");
        options.Serving.Tls = _pki.IssueServing("agent-1");
        options.Serving.RestAdvertise = "http://agent-1.lan:8000";

        var problems = ServingSecurity.Problems(options);

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Agent:Serving:GrpcListen must be https://HOST:PORT since TLS is on (Agent:Serving:Tls)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Agent:Serving:RestListen must be https://", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Agent:Serving:RestAdvertise must be an https://HOST:PORT address", StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_HttpsAddressWithoutTls_Named()
    {
        var problems = ServingSecurity.Problems(Options("none", "https://127.0.0.1:8001", ""));

        Assert.Equal("Agent:Serving:GrpcListen must be http://HOST:PORT since TLS is off (set Agent:Serving:Tls to turn it on), got 'https://127.0.0.1:8001'", Assert.Single(problems));
    }

    [Fact]
    public void Problems_CertificateWithoutServerAuth_SaysToIssueItForServing()
    {
        var options = Options("token", "https://127.0.0.1:8001", "");
        options.Serving.Tls = _pki.Pki.Issue("agent-1", ClusterRole.Agent);

        var problem = Assert.Single(ServingSecurity.Problems(options));

        Assert.StartsWith("Agent:Serving:Tls:CertificateFile", problem, StringComparison.Ordinal);
        Assert.Contains("lacks the serverAuth extended key usage", problem, StringComparison.Ordinal);
        Assert.Contains("mlops certs issue NAME --role agent --serving", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_IncompleteServingTls_Named()
    {
        var options = Options("token", "https://127.0.0.1:8001", "");
        options.Serving.Tls = new TlsFiles { CertificateFile = _pki.IssueServing("agent-1").CertificateFile };

        var problem = Assert.Single(ServingSecurity.Problems(options));

        Assert.StartsWith("Agent:Serving:Tls needs CertificateFile, KeyFile and AuthorityFile together", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void From_MtlsWithOnlyAgentTls_UsesTheCoordinatorConnectionsFiles()
    {
        var options = Options("mtls", "https://127.0.0.1:8001", "");
        options.Tls = _pki.IssueServing("agent-1");

        var security = ServingSecurity.From(options);

        Assert.True(security.UsesTls);
        Assert.Equal(ServingSecurity.AgentTlsSection, security.TlsSection);
        Assert.Empty(ServingSecurity.Problems(options));
    }

    [Fact]
    public void From_TokenWithOnlyAgentTls_StaysPlaintext()
    {
        var options = Options("token");
        options.Tls = _pki.IssueServing("agent-1");

        Assert.False(ServingSecurity.From(options).UsesTls);
        Assert.Empty(ServingSecurity.Problems(options));
    }

    [Fact]
    public void Problems_AgentTlsWithoutServerAuthForMtls_NamesAgentTls()
    {
        var options = Options("mtls", "https://127.0.0.1:8001", "");
        options.Tls = _pki.Pki.Issue("agent-1", ClusterRole.Agent);

        var problem = Assert.Single(ServingSecurity.Problems(options));

        Assert.StartsWith("Agent:Tls:CertificateFile", problem, StringComparison.Ordinal);
        Assert.Contains("--serving", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadServingSecurity_ReportedWithTheOtherErrors()
    {
        var options = Options("mtls", "https://127.0.0.1:8001", "");
        options.CancelGracePeriod = TimeSpan.FromSeconds(-1);

        var result = new AgentOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("Agent:Serving:Auth 'mtls' needs TLS", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Agent:Serving:GrpcListen must be http://", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Agent:CancelGracePeriod", StringComparison.Ordinal));
    }
}
