using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Agent.Options;
using MlOps.Agent.Session;
using MlOps.Contracts;
using MlOps.Core.Certificates;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Session;

/// <summary>The agent's channel against a TLS server on loopback: it presents its certificate and trusts the cluster CA alone.</summary>
public sealed class CoordinatorChannelTests : IDisposable
{
    private readonly TempDirectory _directory = new("mlops-agent-channel");
    private readonly ClusterPki _pki;

    public CoordinatorChannelTests()
    {
        _pki = new ClusterPki(_directory.Combine("pki"));
        _pki.Issue("coord-1", ClusterRole.Coordinator);
    }

    [Fact]
    public async Task Call_TlsCoordinatorFromTheClusterCa_PresentsTheAgentCertificate()
    {
        var (app, address) = await StartServerAsync(_pki);
        try
        {
            using var channel = new CoordinatorChannel(Microsoft.Extensions.Options.Options.Create(
                new AgentOptions { CoordinatorAddress = address, Tls = _pki.Issue("node-1", ClusterRole.Agent) }));

            var agents = await new ClusterService.ClusterServiceClient(channel.Channel).ListAgentsAsync(new ListAgentsRequest());

            Assert.Equal("CN=node-1, O=agent", Assert.Single(agents.Agents).AgentId);
        }
        finally
        {
            await LoopbackGrpcHost.StopAsync(app);
        }
    }

    [Fact]
    public async Task Call_CoordinatorFromAnotherCa_RefusedByTheAgent()
    {
        using var otherPki = new ClusterPki(_directory.Combine("other"), "Other CA");
        otherPki.Issue("coord-1", ClusterRole.Coordinator);
        var (app, address) = await StartServerAsync(otherPki);
        try
        {
            using var channel = new CoordinatorChannel(Microsoft.Extensions.Options.Options.Create(
                new AgentOptions { CoordinatorAddress = address, Tls = _pki.Issue("node-1", ClusterRole.Agent) }));

            var error = await Assert.ThrowsAsync<RpcException>(() =>
                new ClusterService.ClusterServiceClient(channel.Channel).ListAgentsAsync(new ListAgentsRequest()).ResponseAsync);

            // Grpc.Net.Client reports a failed handshake as INTERNAL, with the cause in the detail.
            Assert.Contains("The SSL connection could not be established", error.Status.Detail, StringComparison.Ordinal);
            Assert.IsAssignableFrom<System.Security.Authentication.AuthenticationException>(error.Status.DebugException?.InnerException);
        }
        finally
        {
            await LoopbackGrpcHost.StopAsync(app);
        }
    }

    public void Dispose()
    {
        _pki.Dispose();
        _directory.Dispose();
    }

    private static Task<(WebApplication App, string Address)> StartServerAsync(ClusterPki serverPki)
    {
        var certificate = serverPki.Load("coord-1");
        var authority = serverPki.LoadAuthority();
        return LoopbackTlsGrpcHost.StartAsync(certificate, authority,
            services => services.AddSingleton<PeerEcho>(), endpoints => endpoints.MapGrpcService<PeerEcho>());
    }

    /// <summary>Answers ListAgents with one "agent" named by the caller's client certificate subject.</summary>
    private sealed class PeerEcho : ClusterService.ClusterServiceBase
    {
        public override Task<ListAgentsResponse> ListAgents(ListAgentsRequest request, ServerCallContext context)
        {
            var certificate = context.GetHttpContext().Connection.ClientCertificate;
            return Task.FromResult(new ListAgentsResponse { Agents = { new AgentInfo { AgentId = certificate?.Subject ?? "(none)" } } });
        }
    }
}
