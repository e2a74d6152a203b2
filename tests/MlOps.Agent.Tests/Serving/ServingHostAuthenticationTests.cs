using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MlOps.Agent.Options;
using MlOps.Agent.Serving;
using MlOps.Agent.Session;
using MlOps.Agent.Tests.Jobs;
using MlOps.Client.Artifacts;
using MlOps.Client.Inference;
using MlOps.Contracts;
using MlOps.Contracts.Inference;
using MlOps.Core.Certificates;
using MlOps.Serving.Authentication;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Serving;

/// <summary>
/// The agent's own inference endpoints (<see cref="ServingHost"/> on loopback, no model loaded) with
/// <c>Agent:Serving:Auth</c>: a call that gets past authentication meets "unknown model" (NOT_FOUND, 404), one that
/// does not is UNAUTHENTICATED (401). Tokens arrive through <see cref="InferenceCredentialsReceiver"/>, as from the
/// coordinator's stream; TLS from <c>Agent:Serving:Tls</c>, with https advertised.
/// </summary>
public sealed class ServingHostAuthenticationTests : IAsyncLifetime
{
    private const string Token = "tok_0123456789ab.agent-test";
    private readonly TempDirectory _data = new("mlops-serving-auth");
    private readonly ServingPki _pki = new();
    private readonly InferenceCredentialSet _credentials = new();
    private readonly List<IAsyncDisposable> _hosts = [];
    private readonly List<IDisposable> _disposables = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }

        _pki.Dispose();
        _data.Dispose();
    }

    private async Task<ServingAddresses> StartAsync(string auth, TlsFiles? tls = null)
    {
        var scheme = tls is null ? "http" : "https";
        var settings = new AgentOptions { Id = "agent-1", DataDirectory = _data.Path, CoordinatorAddress = "http://127.0.0.1:1" };
        settings.Serving.Auth = auth;
        settings.Serving.GrpcListen = $"{scheme}://127.0.0.1:0";
        settings.Serving.RestListen = $"{scheme}://127.0.0.1:0";
        settings.Serving.Tls = tls ?? new TlsFiles();
        Assert.Empty(ServingSecurity.Problems(settings));

        var options = Microsoft.Extensions.Options.Options.Create(settings);
        var coordinator = new CoordinatorChannel(options);
        _disposables.Add(coordinator);
        var reconciler = new ServingReconciler(new RecordingOutbox(), options, TimeProvider.System, NullLogger<ServingReconciler>.Instance);
        var host = new ServingHost(options, new ConfigurationBuilder().Build(),
            new CoordinatorArtifactStore(new ArtifactService.ArtifactServiceClient(coordinator.Channel), coordinator.Address),
            coordinator, reconciler, _credentials, NullLogger<ServingHost>.Instance);
        _hosts.Add(host);
        _hosts.Add(reconciler);
        await host.StartAsync(CancellationToken.None);
        return reconciler.Addresses!;
    }

    private GRPCInferenceService.GRPCInferenceServiceClient Grpc(string address, InferenceEndpointSecurity security)
    {
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = security.CreateHandler(new SocketsHttpHandler()),
            DisposeHttpClient = true,
        });
        _disposables.Add(channel);
        return new GRPCInferenceService.GRPCInferenceServiceClient(channel);
    }

    private HttpClient Rest(string address, InferenceEndpointSecurity security)
    {
        var http = new HttpClient(security.CreateHandler(new SocketsHttpHandler())) { BaseAddress = new Uri(address) };
        _disposables.Add(http);
        return http;
    }

    private static InferenceCredentials Snapshot(params string[] tokens)
    {
        var message = new InferenceCredentials();
        message.TokenSha256.AddRange(tokens.Select(t => Google.Protobuf.ByteString.CopyFrom(InferenceCredentialSet.DigestOf(t))));
        return message;
    }

    [Fact]
    public async Task TokenMode_TokensFromTheCoordinator_GateGrpcAndRest()
    {
        var addresses = await StartAsync("token");
        var withToken = new InferenceEndpointSecurity { BearerToken = Token };
        var metadata = new ModelMetadataRequest { Name = "nothing-here" };

        var beforeSnapshot = await Assert.ThrowsAsync<RpcException>(() => Grpc(addresses.GrpcAddress, withToken).ModelMetadataAsync(metadata).ResponseAsync);
        new InferenceCredentialsReceiver(_credentials, NullLogger<InferenceCredentialsReceiver>.Instance).Apply(Snapshot(Token));
        var noToken = await Assert.ThrowsAsync<RpcException>(() => Grpc(addresses.GrpcAddress, InferenceEndpointSecurity.None).ModelMetadataAsync(metadata).ResponseAsync);
        var passed = await Assert.ThrowsAsync<RpcException>(() => Grpc(addresses.GrpcAddress, withToken).ModelMetadataAsync(metadata).ResponseAsync);
        using var restRefused = await Rest(addresses.RestAddress, InferenceEndpointSecurity.None).GetAsync("/v2/models/nothing-here");
        using var restPassed = await Rest(addresses.RestAddress, withToken).GetAsync("/v2/models/nothing-here");
        using var live = await Rest(addresses.RestAddress, InferenceEndpointSecurity.None).GetAsync("/v2/health/live");

        Assert.StartsWith("http://127.0.0.1:", addresses.GrpcAddress, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, beforeSnapshot.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, noToken.StatusCode);
        Assert.Equal(StatusCode.NotFound, passed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, restRefused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, restPassed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task MtlsMode_ServingTls_HttpsAdvertisedAndClusterClientCertificatesAccepted()
    {
        var addresses = await StartAsync("mtls", _pki.IssueServing("agent-1"));
        _pki.Pki.Issue("alice", ClusterRole.Client);
        using var ca = _pki.Pki.LoadAuthority();
        using var alice = _pki.Pki.Load("alice");
        using var otherDirectory = new TempDirectory("mlops-other-ca");
        using var otherPki = new ClusterPki(otherDirectory.Path, "Another CA");
        otherPki.Issue("mallory", ClusterRole.Client);
        using var mallory = otherPki.Load("mallory");
        var metadata = new ModelMetadataRequest { Name = "nothing-here" };

        var accepted = await Assert.ThrowsAsync<RpcException>(() =>
            Grpc(addresses.GrpcAddress, new InferenceEndpointSecurity { Authority = ca, ClientCertificate = alice }).ModelMetadataAsync(metadata).ResponseAsync);
        var noCertificate = await Assert.ThrowsAsync<RpcException>(() =>
            Grpc(addresses.GrpcAddress, new InferenceEndpointSecurity { Authority = ca }).ModelMetadataAsync(metadata).ResponseAsync);
        var foreign = await Assert.ThrowsAsync<RpcException>(() =>
            Grpc(addresses.GrpcAddress, new InferenceEndpointSecurity { Authority = ca, ClientCertificate = mallory }).ModelMetadataAsync(metadata).ResponseAsync);
        using var restAccepted = await Rest(addresses.RestAddress, new InferenceEndpointSecurity { Authority = ca, ClientCertificate = alice }).GetAsync("/v2/models/nothing-here");
        using var live = await Rest(addresses.RestAddress, new InferenceEndpointSecurity { Authority = ca }).GetAsync("/v2/health/live");

        Assert.StartsWith("https://127.0.0.1:", addresses.GrpcAddress, StringComparison.Ordinal);
        Assert.StartsWith("https://127.0.0.1:", addresses.RestAddress, StringComparison.Ordinal);
        Assert.Equal(StatusCode.NotFound, accepted.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, noCertificate.StatusCode);
        Assert.NotEqual(StatusCode.NotFound, foreign.StatusCode);
        Assert.NotEqual(StatusCode.Unauthenticated, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, restAccepted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }
}
