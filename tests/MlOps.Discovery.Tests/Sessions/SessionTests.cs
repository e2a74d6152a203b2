using System.Diagnostics;
using System.Text;
using MlOps.Discovery.Sessions;
using MlOps.Discovery.Tests.Support;
using MlOps.Testing;

namespace MlOps.Discovery.Tests.Sessions;

/// <summary>Sessions against a real Consul 1.8 dev agent (its session_ttl_min lowered to 1 s).</summary>
[Trait("Category", "Integration")]
public sealed class SessionTests(ConsulAgentFixture consul) : IClassFixture<ConsulAgentFixture>
{
    [Fact]
    public async Task CreateSessionAsync_AllSettings_InfoReportsThem()
    {
        using var client = consul.Client();

        var id = await client.CreateSessionAsync(new SessionRequest
        {
            Name = "leader-test",
            Ttl = TimeSpan.FromSeconds(20),
            LockDelay = TimeSpan.FromSeconds(3),
            Behavior = SessionBehavior.Delete,
            Checks = [],
        });
        var info = (await client.GetSessionAsync(id)).Value!;
        await client.DestroySessionAsync(id);

        Assert.Equal((id, "leader-test", consul.Agent.NodeName), (info.Id, info.Name, info.Node));
        Assert.Equal(TimeSpan.FromSeconds(20), info.Ttl);
        Assert.Equal(TimeSpan.FromSeconds(3), info.LockDelay);
        Assert.Equal(SessionBehavior.Delete, info.Behavior);
        Assert.Empty(info.Checks);
    }

    [Fact]
    public async Task CreateSessionAsync_DefaultChecks_TiedToSerfHealth()
    {
        using var client = consul.Client();

        var id = await client.CreateSessionAsync(new SessionRequest { Ttl = TimeSpan.FromSeconds(20) });
        var info = (await client.GetSessionAsync(id)).Value!;
        await client.DestroySessionAsync(id);

        Assert.Equal(["serfHealth"], info.Checks);
        Assert.Equal(TimeSpan.FromSeconds(15), info.LockDelay);
        Assert.Equal(SessionBehavior.Release, info.Behavior);
    }

    [Fact]
    public async Task RenewSessionAsync_LiveThenDestroyed_RenewsThenThrowsSessionExpired()
    {
        using var client = consul.Client();
        var id = await client.CreateSessionAsync(new SessionRequest { Ttl = TimeSpan.FromSeconds(20) });

        var renewed = await client.RenewSessionAsync(id);
        await client.DestroySessionAsync(id);
        await client.DestroySessionAsync(id);

        Assert.Equal(TimeSpan.FromSeconds(20), renewed.Ttl);
        var error = await Assert.ThrowsAsync<ConsulSessionExpiredException>(() => client.RenewSessionAsync(id));
        Assert.Equal(id, error.SessionId);
        Assert.Null((await client.GetSessionAsync(id)).Value);
    }

    [Fact]
    public async Task DestroySessionAsync_DeleteBehavior_DeletesHeldKeys()
    {
        using var client = consul.Client();
        var key = $"mlops-tests/{Guid.NewGuid():n}";
        var id = await client.CreateSessionAsync(new SessionRequest { Ttl = TimeSpan.FromSeconds(20), Behavior = SessionBehavior.Delete, LockDelay = TimeSpan.Zero });
        Assert.True(await client.AcquireKeyAsync(key, id, Encoding.UTF8.GetBytes("ephemeral")));

        await client.DestroySessionAsync(id);

        Assert.Null((await client.GetKeyAsync(key)).Value);
    }

    [Fact]
    public async Task CreateSessionAsync_TtlNotRenewed_ConsulInvalidatesWithinTwiceTtl()
    {
        using var client = consul.Client();
        var ttl = ConsulAgent.SessionTtlMin;
        var id = await client.CreateSessionAsync(new SessionRequest { Ttl = ttl, Checks = [] });
        var clock = Stopwatch.StartNew();

        while ((await client.GetSessionAsync(id)).Value is not null)
        {
            Assert.True(clock.Elapsed < (2 * ttl) + TimeSpan.FromSeconds(3), "the session outlived twice its TTL by far");
            await Task.Delay(100);
        }

        Assert.True(clock.Elapsed >= ttl - TimeSpan.FromMilliseconds(100), $"gone after {clock.Elapsed}, before its TTL");
    }
}
