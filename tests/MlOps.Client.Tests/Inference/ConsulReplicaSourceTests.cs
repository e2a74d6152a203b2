using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Time.Testing;
using MlOps.Client.Inference;
using MlOps.Client.Tests.Support;
using MlOps.Contracts.Inference;
using MlOps.Discovery;
using MlOps.Discovery.Services;
using MlOps.Testing;

namespace MlOps.Client.Tests.Inference;

/// <summary>
/// <see cref="InferenceClient"/> with replicas from Consul (a fake catalog) and real loopback replicas; the coordinator
/// channel points at a closed port, since this source does not need it.
/// </summary>
public sealed class ConsulReplicaSourceTests : IAsyncLifetime
{
    private const string Name = "fashion";
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(2);

    private readonly FakeTimeProvider _clock = new();
    private readonly FakeConsulClientForTests _consul = new();
    private readonly GrpcChannel _noCoordinator = GrpcChannel.ForAddress($"http://127.0.0.1:{FreePort.Next()}");
    private FakeReplicaForTests _a = null!;
    private FakeReplicaForTests _b = null!;

    public async Task InitializeAsync()
    {
        _a = await FakeReplicaForTests.StartAsync("a");
        _b = await FakeReplicaForTests.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        _noCoordinator.Dispose();
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task PredictAsync_ConsulSource_CallsOnlyPassingInstancesOfTheModel()
    {
        await RegisterAsync("agent-a", _a, Name, "1");
        await RegisterAsync("agent-b", _b, Name, "1", CheckStatus.Critical);
        await RegisterAsync("agent-b", _b, "other", "1");
        using var client = Client();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("a", (await client.PredictAsync(Request())).Id);
        }

        Assert.Equal(0, _b.Calls);
        Assert.Contains($"health {ClusterServices.Model}", _consul.Calls);
    }

    [Fact]
    public async Task PredictAsync_PinnedVersion_OnlyReplicasServingThatVersion()
    {
        await RegisterAsync("agent-a", _a, Name, "1");
        await RegisterAsync("agent-b", _b, Name, "2");
        using var client = Client();

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("b", (await client.PredictAsync(Request(version: "2"))).Id);
        }

        Assert.Equal(0, _a.Calls);
    }

    [Fact]
    public async Task PredictAsync_ConsulGoneAfterTheFirstList_KeepsUsingTheKnownReplicas()
    {
        await RegisterAsync("agent-a", _a, Name, "1");
        using var client = Client();
        Assert.Equal("a", (await client.PredictAsync(Request())).Id);

        _consul.Down = true;
        _clock.Advance(Refresh * 2);

        Assert.Equal("a", (await client.PredictAsync(Request())).Id);
    }

    [Fact]
    public async Task PredictAsync_ConsulDownFromTheStart_ThrowsUnavailableNamingConsul()
    {
        _consul.Down = true;
        using var client = Client();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.PredictAsync(Request()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("Consul", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PredictAsync_NoPassingInstance_ThrowsUnavailableSayingSo()
    {
        await RegisterAsync("agent-a", _a, Name, "1", CheckStatus.Critical);
        using var client = Client();

        var error = await Assert.ThrowsAsync<RpcException>(() => client.PredictAsync(Request()));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains($"0 passing mlops-model instance(s) of '{Name}' in Consul", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReadyReplicasAsync_AgentServingTwoVersions_OneReplica()
    {
        await RegisterAsync("agent-a", _a, Name, "1");
        await RegisterAsync("agent-a", _a, Name, "2");

        var replicas = await new ConsulReplicaSource(_consul).GetReadyReplicasAsync(Name, "", CancellationToken.None);

        Assert.Equal([_a.Address], replicas.GrpcAddresses);
    }

    [Fact]
    public async Task GetReadyReplicasAsync_NoAddressInMeta_BuiltFromAddressAndPort()
    {
        foreach (var (id, address) in new[] { ("v4", "10.0.0.7"), ("v6", "fd00::7") })
        {
            await _consul.RegisterServiceAsync(new ServiceRegistration
            {
                Name = ClusterServices.Model,
                Id = id,
                Address = address,
                Port = 8001,
                Tags = [ClusterServices.ModelTag(Name), ClusterServices.VersionTag("1")],
            });
        }

        var replicas = await new ConsulReplicaSource(_consul).GetReadyReplicasAsync(Name, "", CancellationToken.None);

        Assert.Equal(["http://10.0.0.7:8001", "http://[fd00::7]:8001"], replicas.GrpcAddresses);
    }

    private InferenceClient Client() =>
        new(_noCoordinator, new InferenceClientOptions { ReplicaRefreshInterval = Refresh, ReplicaSource = new ConsulReplicaSource(_consul) }, _clock);

    private static ModelInferRequest Request(string version = "") => new() { ModelName = Name, ModelVersion = version };

    /// <summary>What an agent registers for a READY version (the agent's own shape is tested in the agent's tests).</summary>
    private async Task RegisterAsync(string agentId, FakeReplicaForTests replica, string model, string version, CheckStatus status = CheckStatus.Passing)
    {
        var uri = new Uri(replica.Address);
        var id = ClusterServices.ModelServiceId(agentId, model, version);
        await _consul.RegisterServiceAsync(new ServiceRegistration
        {
            Name = ClusterServices.Model,
            Id = id,
            Address = uri.Host,
            Port = uri.Port,
            Tags = [ClusterServices.ModelTag(model), ClusterServices.VersionTag(version)],
            Meta = new Dictionary<string, string> { [ClusterServices.GrpcAddressMeta] = replica.Address },
            Checks = [CheckDefinition.ForTtl(ClusterServices.CheckId(id), TimeSpan.FromSeconds(15)) with { InitialStatus = status }],
        });
    }
}
