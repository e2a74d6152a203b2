using System.Diagnostics;
using MlOps.Discovery.Health;
using MlOps.Discovery.Services;
using MlOps.Discovery.Tests.Support;

namespace MlOps.Discovery.Tests.Health;

/// <summary>Blocking health queries against a real Consul 1.8 dev agent.</summary>
[Trait("Category", "Integration")]
public sealed class BlockingQueryTests(ConsulAgentFixture consul) : IClassFixture<ConsulAgentFixture>
{
    [Fact]
    public async Task GetServiceHealthAsync_ServiceChangesDuringWait_ReturnsEarlyWithHigherIndex()
    {
        using var client = consul.Client();
        var name = await RegisterPassingAsync(client, "change");
        var first = await client.GetServiceHealthAsync(name, HealthFilter.Passing);
        var clock = Stopwatch.StartNew();

        var blocked = client.GetServiceHealthAsync(name, HealthFilter.Passing, QueryOptions.Blocking(first.Index, TimeSpan.FromSeconds(30)));
        await Task.Delay(300);
        Assert.False(blocked.IsCompleted, "the query should wait while nothing changes");
        await client.FailTtlAsync(name + "-ttl", "going down");
        var changed = await blocked;

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"returned after {clock.Elapsed}, expected soon after the change");
        Assert.True(changed.Index > first.Index);
        Assert.Empty(changed.Value);
        Assert.Single(first.Value);
    }

    [Fact]
    public async Task GetServiceHealthAsync_NothingChanges_ReturnsAfterWaitWithSameIndex()
    {
        using var client = consul.Client();
        var name = await RegisterPassingAsync(client, "idle");
        var first = await client.GetServiceHealthAsync(name);
        var clock = Stopwatch.StartNew();

        var again = await client.GetServiceHealthAsync(name, query: QueryOptions.Blocking(first.Index, TimeSpan.FromSeconds(1)));

        // Consul waits the full wait plus up to wait/16 of jitter.
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(950), TimeSpan.FromSeconds(5));
        Assert.Equal(first.Index, again.Index);
        Assert.False(again.IndexReset);
        Assert.Equal(first.Value.Single().ServiceId, again.Value.Single().ServiceId);
    }

    [Fact]
    public async Task GetServiceHealthAsync_IndexAheadOfServer_ResetsToZeroThenReadsAfresh()
    {
        // An index from before a restart of the dev agent (or a snapshot restore) is ahead of the server's.
        using var client = consul.Client();
        var name = await RegisterPassingAsync(client, "reset");
        var current = await client.GetServiceHealthAsync(name);

        var stale = await client.GetServiceHealthAsync(name, query: QueryOptions.Blocking(current.Index + 1_000_000, TimeSpan.FromMilliseconds(500)));
        var clock = Stopwatch.StartNew();
        var fresh = await client.GetServiceHealthAsync(name, query: new QueryOptions { WaitIndex = stale.Index });

        Assert.True(stale.IndexReset);
        Assert.Equal(0UL, stale.Index);
        // Index 0 reads at once; a blocking read would take the default wait of 5 minutes.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}: index 0 must not block");
        Assert.Equal(current.Index, fresh.Index);
        Assert.Single(fresh.Value);
    }

    private static async Task<string> RegisterPassingAsync(ConsulClient client, string prefix)
    {
        var name = $"{prefix}-{Guid.NewGuid():n}"[..(prefix.Length + 9)];
        await client.RegisterServiceAsync(new ServiceRegistration
        {
            Name = name,
            Port = 7000,
            Checks = [CheckDefinition.ForTtl(name + "-ttl", TimeSpan.FromMinutes(5)) with { InitialStatus = CheckStatus.Passing }],
        });
        return name;
    }
}
