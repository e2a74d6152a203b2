using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Contracts;
using MlOps.Coordinator.Api;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Api;

/// <summary>
/// The real host over mutual TLS on a loopback port: an agent's identity on <c>AgentService.Connect</c> is its
/// certificate's subject, and a certificate from another CA never gets past the handshake.
/// </summary>
[Trait("Category", "Integration")]
public sealed class AgentIdentityTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("mlops-agent-identity");
    private ClusterPki _pki = null!;
    private CoordinatorHost _host = null!;

    public async Task InitializeAsync()
    {
        _pki = new ClusterPki(_directory.Combine("pki"));
        var tls = _pki.Issue("coord-1", ClusterRole.Coordinator);
        _host = await CoordinatorHost.StartAsync(
            _directory.Combine("data"),
            FourPixelDataset.Write(_directory.Combine("tiny")),
            "--Coordinator:Listen=https://127.0.0.1:0",
            $"--Coordinator:Tls:CertificateFile={tls.CertificateFile}",
            $"--Coordinator:Tls:KeyFile={tls.KeyFile}",
            $"--Coordinator:Tls:AuthorityFile={tls.AuthorityFile}");
    }

    [Fact]
    public async Task Connect_AgentCertificateMatchingTheId_Welcomed()
    {
        _pki.Issue("node-1", ClusterRole.Agent);
        using var channel = Channel(_pki.Load("node-1"));

        var status = await HelloAsync(channel, "node-1");

        Assert.Equal(StatusCode.OK, status.StatusCode);
        Assert.StartsWith("https://", _host.Address, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_NoClientCertificate_Unauthenticated()
    {
        using var channel = Channel(certificate: null);

        var status = await HelloAsync(channel, "node-1");

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Contains("no client certificate was presented", status.Detail, StringComparison.Ordinal);
        await AssertNotListedAsync("node-1");
    }

    [Fact]
    public async Task Connect_ClientRoleCertificate_Unauthenticated()
    {
        _pki.Issue("alice", ClusterRole.Client);
        using var channel = Channel(_pki.Load("alice"));

        var status = await HelloAsync(channel, "alice");

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Contains("'CN=alice, O=client' is not an agent certificate (O=agent)", status.Detail, StringComparison.Ordinal);
        await AssertNotListedAsync("alice");
    }

    [Fact]
    public async Task Connect_HelloNamesAnotherAgent_PermissionDeniedNamingBoth()
    {
        _pki.Issue("node-2", ClusterRole.Agent);
        using var channel = Channel(_pki.Load("node-2"));

        var status = await HelloAsync(channel, "node-1");

        Assert.Equal(StatusCode.PermissionDenied, status.StatusCode);
        Assert.Contains("'node-1'", status.Detail, StringComparison.Ordinal);
        Assert.Contains("'node-2'", status.Detail, StringComparison.Ordinal);
        await AssertNotListedAsync("node-1");
        await AssertNotListedAsync("node-2");
    }

    [Fact]
    public async Task Connect_CertificateFromAnotherCa_HandshakeRefused()
    {
        using var otherPki = new ClusterPki(_directory.Combine("other-pki"), "Other CA");
        otherPki.Issue("node-1", ClusterRole.Agent);
        using var channel = Channel(otherPki.Load("node-1"));

        var status = await HelloAsync(channel, "node-1");

        Assert.Equal(StatusCode.Unavailable, status.StatusCode);
        await AssertNotListedAsync("node-1");
    }

    [Fact]
    public async Task ListAgents_ClientWithoutCertificate_Answers()
    {
        using var channel = Channel(certificate: null);

        var agents = await new ClusterService.ClusterServiceClient(channel).ListAgentsAsync(new ListAgentsRequest());

        Assert.Empty(agents.Agents);
    }

    [Fact]
    public async Task Call_PlaintextToTheTlsPort_Fails()
    {
        using var channel = GrpcChannel.ForAddress(_host.Address.Replace("https://", "http://", StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new ClusterService.ClusterServiceClient(channel).ListAgentsAsync(new ListAgentsRequest(), deadline: DateTime.UtcNow.AddSeconds(10)).ResponseAsync);

        Assert.NotEqual(StatusCode.OK, error.StatusCode);
    }

    [Fact]
    public void TryGetIdentity_ContextOutsideAspNetCore_False()
    {
        Assert.False(PeerCertificate.TryGetIdentity(new TestServerCallContext(), out _, out var name));
        Assert.Equal("", name);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        _pki.Dispose();
        _directory.Dispose();
    }

    /// <summary>A channel that trusts the cluster CA only and presents <paramref name="certificate"/> when given.</summary>
    private GrpcChannel Channel(X509Certificate2? certificate)
    {
        var authority = _pki.LoadAuthority();
        var ssl = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = ClusterTrust.ValidationCallback(authority, ClusterRoles.ServerAuthentication),
        };
        if (certificate is not null)
        {
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate;
        }

        return GrpcChannel.ForAddress(_host.Address, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { SslOptions = ssl } });
    }

    /// <summary>Opens the agent stream with a hello: OK once welcomed, else the status the stream ended with.</summary>
    private static async Task<Status> HelloAsync(GrpcChannel channel, string agentId)
    {
        using var call = new AgentService.AgentServiceClient(channel).Connect(deadline: DateTime.UtcNow.AddSeconds(20));
        try
        {
            var hello = new AgentHello { AgentId = agentId, Host = "test", Capacity = new AgentCapacity { CpuCores = 1, MemoryMb = 1000 } };
            try
            {
                await call.RequestStream.WriteAsync(new AgentMessage { Hello = hello });
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException)
            {
                // The coordinator ended the call (or the connection) before the hello went out: the read reports how.
            }

            if (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
                return call.ResponseStream.Current.KindCase == CoordinatorMessage.KindOneofCase.Welcome
                    ? Status.DefaultSuccess
                    : new Status(StatusCode.Unknown, "expected a welcome, got " + call.ResponseStream.Current.KindCase);
            }

            return call.GetStatus();
        }
        catch (RpcException ex)
        {
            return ex.Status;
        }
    }

    private async Task AssertNotListedAsync(string agentId)
    {
        using var channel = Channel(certificate: null);
        var agents = await new ClusterService.ClusterServiceClient(channel).ListAgentsAsync(new ListAgentsRequest());
        Assert.DoesNotContain(agents.Agents, a => a.AgentId == agentId);
    }
}
