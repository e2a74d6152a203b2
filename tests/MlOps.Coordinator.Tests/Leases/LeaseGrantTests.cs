using MlOps.Contracts;
using MlOps.Coordinator.Tests.Infrastructure;

namespace MlOps.Coordinator.Tests.Leases;

/// <summary>The coordinator's half of agent self-fencing: heartbeats are answered with the lease they renewed.</summary>
public sealed class LeaseGrantTests
{
    [Fact]
    public async Task Heartbeat_IsAnsweredWithALeaseGrantOfTheLeaseDuration()
    {
        await using var coordinator = await TestCoordinator.CreateAsync(o => o.LeaseDuration = TimeSpan.FromSeconds(12));
        var agent = await coordinator.ConnectAsync("a1");

        await agent.HeartbeatAsync();

        var grant = (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Lease)).Lease;
        Assert.Equal(TimeSpan.FromSeconds(12), grant.ValidFor.ToTimeSpan());
    }
}
