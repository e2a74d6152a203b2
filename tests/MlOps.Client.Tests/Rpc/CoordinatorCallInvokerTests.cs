using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Client.Rpc;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.Client.Tests.Rpc;

/// <summary>
/// The client side of coordinator failover over real gRPC sockets: stand-in coordinators (test doubles of
/// <c>ClusterService</c> that act as leader, follower or electing) on loopback; the real followers are covered by
/// tests/MlOps.IntegrationTests/HighAvailability.
/// </summary>
public sealed class CoordinatorCallInvokerTests
{
    [Fact]
    public async Task UnaryCall_FollowerRedirects_GoesToTheLeaderAndStaysThere()
    {
        await using var leader = await StandIn.StartAsync("leader");
        await using var follower = await StandIn.StartAsync("follower", redirectTo: leader.Address);
        using var invoker = Invoker([follower.Address]);
        var switched = new List<(string From, string To)>();
        invoker.Switched += (from, to, _) => switched.Add((from, to));

        var answer = await new ClusterService.ClusterServiceClient(invoker).ListAgentsAsync(new ListAgentsRequest());

        Assert.Equal("leader", Assert.Single(answer.Agents).AgentId);
        Assert.Equal(leader.Address, invoker.Current);
        Assert.Equal([(follower.Address, leader.Address)], switched);
        Assert.Equal(1, follower.Calls);
        await new ClusterService.ClusterServiceClient(invoker).ListAgentsAsync(new ListAgentsRequest());
        Assert.Equal(1, follower.Calls);
    }

    [Fact]
    public async Task UnaryCall_FirstAddressUnreachable_TriesTheNext()
    {
        await using var leader = await StandIn.StartAsync("leader");
        var nowhere = $"http://127.0.0.1:{FreePort.Next()}";
        using var invoker = Invoker([nowhere, leader.Address]);

        var answer = await new ClusterService.ClusterServiceClient(invoker).ListAgentsAsync(new ListAgentsRequest());

        Assert.Equal("leader", Assert.Single(answer.Agents).AgentId);
        Assert.Equal(leader.Address, invoker.Current);
    }

    [Fact]
    public async Task UnaryCall_SingleUnreachableAddress_FailsAtOnce()
    {
        using var invoker = Invoker([$"http://127.0.0.1:{FreePort.Next()}"]);
        var started = System.Diagnostics.Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new ClusterService.ClusterServiceClient(invoker).ListAgentsAsync(new ListAgentsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(5), $"took {started.Elapsed}");
    }

    [Fact]
    public async Task UnaryCall_ElectionUnderWay_RetriesUntilALeaderAnswers()
    {
        await using var electing = await StandIn.StartAsync("electing", refuseFirst: 1);
        await using var other = await StandIn.StartAsync("other", refuseFirst: 1);
        using var invoker = Invoker([electing.Address, other.Address]);

        var answer = await new ClusterService.ClusterServiceClient(invoker).ListAgentsAsync(new ListAgentsRequest());

        Assert.Single(answer.Agents);
        Assert.Equal((2, 1), (electing.Calls, other.Calls));
    }

    [Fact]
    public async Task UnaryCall_NoLeaderWithinTheFailoverTimeout_FailsUnavailable()
    {
        await using var electing = await StandIn.StartAsync("electing", refuseFirst: int.MaxValue);
        await using var other = await StandIn.StartAsync("other", refuseFirst: int.MaxValue);
        using var invoker = Invoker([electing.Address, other.Address], failoverTimeout: TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new ClusterService.ClusterServiceClient(invoker).ListAgentsAsync(new ListAgentsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Contains("no coordinator leads", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnaryCall_OtherErrors_AreNotRetried()
    {
        await using var leader = await StandIn.StartAsync("leader", fail: StatusCode.NotFound);
        await using var spare = await StandIn.StartAsync("spare");
        using var invoker = Invoker([leader.Address, spare.Address]);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            new ClusterService.ClusterServiceClient(invoker).ListAgentsAsync(new ListAgentsRequest()).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal((1, 0), (leader.Calls, spare.Calls));
    }

    [Fact]
    public void Failover_StreamBrokenByAFollower_MovesToTheLeaderItNames()
    {
        using var invoker = Invoker(["http://a:1", "http://b:2"]);
        var trailers = new Metadata { { LeaderRedirect.TrailerKey, "http://c:3" } };

        Assert.True(invoker.Failover(new RpcException(new Status(StatusCode.Unavailable, "follower"), trailers)));
        Assert.Equal("http://c:3", invoker.Current);
        Assert.True(invoker.Failover(new RpcException(new Status(StatusCode.Unavailable, "gone"))));
        Assert.Equal("http://a:1", invoker.Current);
        Assert.False(invoker.Failover(new RpcException(new Status(StatusCode.PermissionDenied, "no"))));
        Assert.Equal(["http://a:1", "http://b:2", "http://c:3"], invoker.Addresses);
    }

    [Fact]
    public void ParseList_CommaSeparated_TrimmedWithoutEmpties()
    {
        Assert.Equal(["http://a:1", "http://b:2"], CoordinatorCallInvoker.ParseList(" http://a:1 ,, http://b:2 "));
    }

    private static CoordinatorCallInvoker Invoker(IEnumerable<string> addresses, TimeSpan? failoverTimeout = null) =>
        new(addresses, a => GrpcChannel.ForAddress(a, new GrpcChannelOptions { HttpHandler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) } }))
        {
            FailoverTimeout = failoverTimeout ?? TimeSpan.FromSeconds(10),
        };

    /// <summary>A stand-in coordinator: answers ListAgents with one agent named after itself, redirects like a follower,
    /// refuses its first calls like a coordinator during an election, or fails with another status.</summary>
    private sealed class StandIn(string name, string? redirectTo, int refuseFirst, StatusCode? fail) : ClusterService.ClusterServiceBase, IAsyncDisposable
    {
        private Microsoft.AspNetCore.Builder.WebApplication? _app;
        private int _calls;

        public string Address { get; private set; } = "";

        public int Calls => Volatile.Read(ref _calls);

        public static async Task<StandIn> StartAsync(string name, string? redirectTo = null, int refuseFirst = 0, StatusCode? fail = null)
        {
            var standIn = new StandIn(name, redirectTo, refuseFirst, fail);
            (standIn._app, standIn.Address) = await LoopbackGrpcHost.StartAsync(standIn);
            return standIn;
        }

        public override Task<ListAgentsResponse> ListAgents(ListAgentsRequest request, ServerCallContext context)
        {
            var call = Interlocked.Increment(ref _calls);
            if (fail is { } status)
            {
                throw new RpcException(new Status(status, "failed on purpose"));
            }

            if (redirectTo is not null)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "follower"), new Metadata { { LeaderRedirect.TrailerKey, redirectTo } });
            }

            if (call <= refuseFirst)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "no coordinator leads at the moment"));
            }

            return Task.FromResult(new ListAgentsResponse { Agents = { new AgentInfo { AgentId = name } } });
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await LoopbackGrpcHost.StopAsync(_app);
            }
        }
    }
}
