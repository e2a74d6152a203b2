using MlOps.Coordinator.Discovery;
using MlOps.Discovery.Health;
using MlOps.Discovery.Services;

namespace MlOps.Coordinator.Tests.Discovery;

public sealed class ConsulAgentHealthTests
{
    [Fact]
    public void Observe_PassingAndWarning_NeitherIsDown()
    {
        var health = new ConsulAgentHealth();

        var changes = health.Observe([Instance("a1", CheckStatus.Passing), Instance("a2", CheckStatus.Warning)]);

        Assert.Equal(["a1", "a2"], changes.Select(c => c.AgentId));
        Assert.Empty(health.Down());
    }

    [Fact]
    public void Observe_CheckCritical_DownNamingTheCheckAndItsOutput()
    {
        var health = new ConsulAgentHealth();
        health.Observe([Instance("a1", CheckStatus.Passing)]);

        var change = Assert.Single(health.Observe([Instance("a1", CheckStatus.Critical, "TTL expired")]));

        Assert.True(change.Down);
        Assert.Equal("critical (a1:ttl: TTL expired)", change.Health);
        Assert.Equal(["a1"], health.Down().Select(d => d.AgentId));
    }

    [Fact]
    public void Observe_NodeCheckCritical_Down()
    {
        var health = new ConsulAgentHealth();
        var instance = Instance("a1", CheckStatus.Passing) with
        {
            Checks = [new HealthCheckInfo("a1:ttl", "a1:ttl", CheckStatus.Passing, "", "a1"), new HealthCheckInfo("serfHealth", "Serf Health Status", CheckStatus.Critical, "Agent not live or unreachable", "")],
        };

        health.Observe([instance]);

        Assert.Equal("critical (Serf Health Status: Agent not live or unreachable)", Assert.Single(health.Down()).Health);
    }

    [Fact]
    public void Observe_ListedAgentGone_DownAsDeregisteredAndForgottenOnRequest()
    {
        var health = new ConsulAgentHealth();
        health.Observe([Instance("a1", CheckStatus.Passing), Instance("a2", CheckStatus.Passing)]);

        var change = Assert.Single(health.Observe([Instance("a2", CheckStatus.Passing)]));

        Assert.Equal(("a1", true, "deregistered", false), (change.AgentId, change.Down, change.Health, change.Listed));
        Assert.Empty(health.Observe([Instance("a2", CheckStatus.Passing)])); // no news the second time
        health.ForgetIfUnlisted("a1");
        health.ForgetIfUnlisted("a2");
        Assert.Null(health.Get("a1"));
        Assert.NotNull(health.Get("a2"));
    }

    [Fact]
    public void Observe_NeverListedAgent_Unknown()
    {
        var health = new ConsulAgentHealth();

        health.Observe([]);

        Assert.Null(health.Get("a1"));
        Assert.Empty(health.Down());
    }

    [Fact]
    public void Observe_BackToPassing_UpAgain()
    {
        var health = new ConsulAgentHealth();
        health.Observe([Instance("a1", CheckStatus.Critical)]);

        var change = Assert.Single(health.Observe([Instance("a1", CheckStatus.Passing)]));

        Assert.False(change.Down);
        Assert.Empty(health.Down());
    }

    [Fact]
    public void Observe_SameIdOnTwoNodesOneUp_Up()
    {
        var health = new ConsulAgentHealth();

        health.Observe([Instance("a1", CheckStatus.Critical), Instance("a1", CheckStatus.Passing) with { Node = "other" }]);

        Assert.Empty(health.Down());
    }

    private static ServiceHealth Instance(string agentId, CheckStatus status, string output = "") => new()
    {
        Node = "node",
        NodeAddress = "127.0.0.1",
        ServiceId = agentId,
        ServiceName = "mlops-agent",
        Address = "127.0.0.1",
        Checks = [new HealthCheckInfo(agentId + ":ttl", agentId + ":ttl", status, output, agentId)],
    };
}
