using Grpc.Core;
using Microsoft.Extensions.Time.Testing;
using MlOps.Client.Inference;
using MlOps.Client.Tests.Support;
using MlOps.Contracts;
using MlOps.Contracts.Inference;
using MlOps.Testing;

namespace MlOps.Client.Tests.Inference;

/// <summary>
/// <see cref="InferenceClient"/> over real loopback gRPC: a fake coordinator's DeploymentService names the replicas,
/// each a fake Open Inference Protocol server; the replica-list cache runs on a fake clock.
/// </summary>
public sealed class InferenceClientTests : IAsyncLifetime
{
    private const string Name = "fashion";
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider _clock = new();
    private FakeCoordinatorForTests _coordinator = null!;
    private FakeReplicaForTests _a = null!;
    private FakeReplicaForTests _b = null!;

    public async Task InitializeAsync()
    {
        _coordinator = await FakeCoordinatorForTests.StartAsync();
        _a = await FakeReplicaForTests.StartAsync("a");
        _b = await FakeReplicaForTests.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        await _coordinator.DisposeAsync();
    }

    [Fact]
    public async Task PredictAsync_TwoReadyReplicas_AlternatesBetweenThem()
    {
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_a), Ready(_b)));
        using var client = Client();

        var answeredBy = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            answeredBy.Add((await client.PredictAsync(Request())).Id);
        }

        Assert.NotEqual(answeredBy[0], answeredBy[1]);
        Assert.Equal([answeredBy[0], answeredBy[1], answeredBy[0], answeredBy[1]], answeredBy);
        Assert.Equal((2, 2), (_a.Calls, _b.Calls));
    }

    [Fact]
    public async Task PredictAsync_ReplicaUnavailable_SucceedsOnTheOtherAndSkipsItUntilRefresh()
    {
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_a), Ready(_b)));
        _a.Failure = new Status(StatusCode.Unavailable, "draining");
        using var client = Client();

        for (var i = 0; i < 4; i++)
        {
            Assert.Equal("b", (await client.PredictAsync(Request())).Id);
        }

        Assert.Equal(1, _a.Calls);
        Assert.Equal(4, _b.Calls);

        _a.Failure = null;
        _clock.Advance(Refresh);
        var afterRefresh = new[] { (await client.PredictAsync(Request())).Id, (await client.PredictAsync(Request())).Id };

        Assert.Contains("a", afterRefresh);
        Assert.Equal(2, _a.Calls);
    }

    [Fact]
    public void IsTransportFailure_UnavailableOrTheTransportsOwnInternal_TrueButNotTheServersInternal()
    {
        Assert.True(InferenceClient.IsTransportFailure(new RpcException(new Status(StatusCode.Unavailable, "refused"))));
        Assert.True(InferenceClient.IsTransportFailure(new RpcException(new Status(StatusCode.Internal, "Error starting gRPC call",
            new HttpRequestException("The HTTP/2 server closed the connection.")))));
        Assert.False(InferenceClient.IsTransportFailure(new RpcException(new Status(StatusCode.Internal, "model crashed"))));
        Assert.False(InferenceClient.IsTransportFailure(new RpcException(new Status(StatusCode.InvalidArgument, "bad shape"))));
    }

    [Fact]
    public async Task PredictAsync_CoordinatorGoneAfterTheFirstList_KeepsUsingTheKnownReplicas()
    {
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_a)));
        using var client = Client();
        Assert.Equal("a", (await client.PredictAsync(Request())).Id);

        await _coordinator.StopServingAsync();
        _clock.Advance(Refresh * 2);

        Assert.Equal("a", (await client.PredictAsync(Request())).Id);
        Assert.Equal(2, _a.Calls);
    }

    [Fact]
    public async Task PredictAsync_ReplicaUnreachable_SucceedsOnTheOther()
    {
        var closed = $"http://127.0.0.1:{FreePort.Next()}";
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available,
            new Replica { AgentId = "gone", GrpcAddress = closed, Ready = true }, Ready(_b)));
        using var client = Client();

        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("b", (await client.PredictAsync(Request())).Id);
        }
    }

    [Fact]
    public async Task PredictAsync_EveryReplicaUnavailable_ThrowsUnavailableListingTriedAddresses()
    {
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_a), Ready(_b)));
        _a.Failure = new Status(StatusCode.Unavailable, "draining a");
        _b.Failure = new Status(StatusCode.Unavailable, "draining b");
        var options = new InferenceClientOptions { ReplicaRefreshInterval = Refresh };
        using var client = Client(options);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.PredictAsync(Request()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains(_a.Address, error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(_b.Address, error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("draining a", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(options.MaxAttempts, _a.Calls + _b.Calls);
    }

    [Fact]
    public async Task PredictAsync_NoReadyReplica_ThrowsUnavailableNamingPhaseAndMessage()
    {
        var deployment = Deployment(DeploymentPhase.Progressing,
            new Replica { AgentId = "loading", GrpcAddress = _a.Address, Ready = false },
            new Replica { AgentId = "no-endpoint", GrpcAddress = "", Ready = true });
        deployment.Message = "waiting for agent-2 to load v3";
        _coordinator.Deployments.Set(deployment);
        using var client = Client();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.PredictAsync(Request()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("progressing", error.Status.Detail, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("waiting for agent-2 to load v3", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(Name, error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(0, _a.Calls);
    }

    [Fact]
    public async Task PredictAsync_CachedListHasNoReadyReplica_AsksTheCoordinatorAgainAtOnce()
    {
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Progressing, new Replica { AgentId = "a", GrpcAddress = _a.Address }));
        using var client = Client();
        await Assert.ThrowsAsync<RpcException>(() => client.PredictAsync(Request()));
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_a)));

        var response = await client.PredictAsync(Request());

        Assert.Equal("a", response.Id);
    }

    [Fact]
    public async Task PredictAsync_ReplicaAnswersInvalidArgument_ThrowsItWithoutTryingAnother()
    {
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_a), Ready(_b)));
        _a.Failure = new Status(StatusCode.InvalidArgument, "input 'pixels': bad shape (from a)");
        _b.Failure = new Status(StatusCode.InvalidArgument, "input 'pixels': bad shape (from b)");
        using var client = Client();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.PredictAsync(Request()));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal(1, _a.Calls + _b.Calls);
        var called = _a.Calls == 1 ? _a : _b;
        Assert.Equal($"input 'pixels': bad shape (from {called.Name})", error.Status.Detail);
    }

    [Fact]
    public async Task PredictAsync_UnknownDeployment_ThrowsNotFoundFromTheCoordinator()
    {
        using var client = Client();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.PredictAsync(Request("nope")));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("nope", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictAsync_WithinRefreshInterval_UsesTheCachedReplicaList()
    {
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_a)));
        using var client = Client();
        await client.PredictAsync(Request());
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_b)));

        _clock.Advance(Refresh - TimeSpan.FromMilliseconds(1));
        var response = await client.PredictAsync(Request());

        Assert.Equal("a", response.Id);
        Assert.Equal(1, _coordinator.Deployments.Gets);
    }

    [Fact]
    public async Task PredictAsync_AfterRefreshInterval_UsesTheCoordinatorsNewList()
    {
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_a)));
        using var client = Client();
        await client.PredictAsync(Request());
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_b)));

        _clock.Advance(Refresh);
        var response = await client.PredictAsync(Request());

        Assert.Equal("b", response.Id);
        Assert.Equal(2, _coordinator.Deployments.Gets);
        Assert.Equal(1, _a.Calls);
    }

    [Fact]
    public async Task MetadataAsync_PinnedVersion_AsksAReplicaForThatVersion()
    {
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_a)));
        using var client = Client();

        var metadata = await client.MetadataAsync(Name, "3");

        Assert.Equal("a", metadata.Platform);
        var request = Assert.Single(_a.MetadataRequests);
        Assert.Equal((Name, "3"), (request.Name, request.Version));
    }

    [Fact]
    public void Constructor_NoAttemptsAllowed_ThrowsArgumentException()
    {
        var error = Assert.Throws<ArgumentException>(() =>
            new InferenceClient(_coordinator.Channel, new InferenceClientOptions { MaxAttempts = 0 }));

        Assert.Contains("MaxAttempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictAndMetadata_WithABearerToken_EveryReplicaCallCarriesIt()
    {
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_a)));
        var security = new InferenceEndpointSecurity { BearerToken = "tok_0123456789ab.secret" };
        using var client = Client(new InferenceClientOptions { ReplicaRefreshInterval = Refresh, Security = security });

        await client.MetadataAsync(Name);
        await client.PredictAsync(Request());

        Assert.Equal(["Bearer tok_0123456789ab.secret", "Bearer tok_0123456789ab.secret"], _a.Authorizations);
    }

    [Fact]
    public async Task PredictAsync_NoSecurity_NoAuthorizationHeader()
    {
        _coordinator.Deployments.Set(Deployment(DeploymentPhase.Available, Ready(_a)));
        using var client = Client();

        await client.PredictAsync(Request());

        Assert.Equal([""], _a.Authorizations);
    }

    private InferenceClient Client(InferenceClientOptions? options = null) =>
        new(_coordinator.Channel, options ?? new InferenceClientOptions { ReplicaRefreshInterval = Refresh }, _clock);

    private static ModelInferRequest Request(string deployment = Name) => new() { ModelName = deployment };

    private static Replica Ready(FakeReplicaForTests replica) =>
        new() { AgentId = "agent-" + replica.Name, GrpcAddress = replica.Address, Ready = true };

    private static Deployment Deployment(DeploymentPhase phase, params Replica[] replicas)
    {
        var deployment = new Deployment
        {
            Spec = new DeploymentSpec { Name = Name, Model = Name, Replicas = replicas.Length },
            Revision = 1,
            Phase = phase,
        };
        deployment.Replicas.Add(replicas);
        return deployment;
    }
}
