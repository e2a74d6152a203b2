using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Discovery;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Leases;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Discovery;
using MlOps.Discovery.Services;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Discovery;

public sealed class ConsulAgentWatcherTests
{
    // Two heartbeat intervals of the default 5 s.
    private static readonly TimeSpan Silence = TimeSpan.FromSeconds(10);

    private readonly FakeConsulClientForTests _consul = new();

    [Fact]
    public async Task PollAsync_AgentPassing_NothingLost()
    {
        await using var coordinator = await TestCoordinator.CreateAsync(Consul);
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);
        await RegisterAsync("a1");
        var watcher = Watcher(coordinator);

        coordinator.Time.Advance(Silence * 2);
        await watcher.PollAsync(0, CancellationToken.None);

        Assert.Equal(JobState.Running, (await coordinator.JobAsync(job.Id)).State);
        Assert.NotNull(coordinator.Get<AgentLeaseTable>().ExpiresAt("a1"));
    }

    [Fact]
    public async Task PollAsync_CriticalAndSilent_LostLikeAnExpiredLease()
    {
        await using var coordinator = await TestCoordinator.CreateAsync(Consul);
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);
        await RegisterAsync("a1");
        var watcher = Watcher(coordinator);
        var index = await watcher.PollAsync(0, CancellationToken.None);

        coordinator.Time.Advance(Silence);
        _consul.SetCheck("a1:ttl", CheckStatus.Critical, "TTL expired");
        await watcher.PollAsync(index, CancellationToken.None);

        var requeued = await coordinator.JobAsync(job.Id);
        Assert.Equal(JobState.Queued, requeued.State);
        Assert.Equal("", requeued.AgentId);
        var change = (await coordinator.Store.ReadEventsAsync(job.Id, 0, 100, CancellationToken.None))[^1].StateChange;
        Assert.Equal("agent a1 lost; requeued after 1 of 3 attempts", change.Reason);
        Assert.Equal(AgentStatus.Lost, coordinator.Get<AgentDirectory>().Get("a1")!.Status);
        Assert.True(agent.Session.Token.IsCancellationRequested);
        Assert.Contains("critical (a1:ttl: TTL expired) in Consul", agent.Session.CloseReason);
        Assert.Contains(coordinator.Logs.Entries.Select(e => e.Message), m => m.Contains("Agent a1 lost: Consul reports it critical", StringComparison.Ordinal));

        // Its lease is gone, so the lease monitor does not lose it a second time.
        Assert.Null(coordinator.Get<AgentLeaseTable>().ExpiresAt("a1"));
        coordinator.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(await coordinator.Get<LeaseMonitor>().ExpireDueAsync(CancellationToken.None));
        Assert.Empty(await watcher.LoseSilentAgentsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task LoseSilentAgentsAsync_CriticalButStillHeartbeating_KeptUntilItFallsSilent()
    {
        await using var coordinator = await TestCoordinator.CreateAsync(Consul);
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);
        await RegisterAsync("a1");
        _consul.SetCheck("a1:ttl", CheckStatus.Critical, "TTL expired");
        var watcher = Watcher(coordinator);
        await watcher.PollAsync(0, CancellationToken.None);

        for (var i = 0; i < 4; i++)
        {
            // An agent that cannot reach its Consul agent, but trains on and talks to us.
            coordinator.Time.Advance(TimeSpan.FromSeconds(5));
            await agent.HeartbeatAsync();
            Assert.Empty(await watcher.LoseSilentAgentsAsync(CancellationToken.None));
        }

        coordinator.Time.Advance(Silence - TimeSpan.FromMilliseconds(1));
        Assert.Empty(await watcher.LoseSilentAgentsAsync(CancellationToken.None));
        coordinator.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(["a1"], await watcher.LoseSilentAgentsAsync(CancellationToken.None));
        Assert.Equal(JobState.Queued, (await coordinator.JobAsync(job.Id)).State);
    }

    [Fact]
    public async Task PollAsync_ServiceDeregistered_LostOnceSilent()
    {
        await using var coordinator = await TestCoordinator.CreateAsync(Consul);
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);
        await RegisterAsync("a1");
        var watcher = Watcher(coordinator);
        var index = await watcher.PollAsync(0, CancellationToken.None);

        await _consul.DeregisterServiceAsync("a1");
        coordinator.Time.Advance(Silence);
        await watcher.PollAsync(index, CancellationToken.None);

        Assert.Equal(JobState.Queued, (await coordinator.JobAsync(job.Id)).State);
        Assert.Contains("deregistered in Consul", agent.Session.CloseReason);
    }

    [Fact]
    public async Task PollAsync_PassingAgainBeforeSilence_Kept()
    {
        await using var coordinator = await TestCoordinator.CreateAsync(Consul);
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);
        await RegisterAsync("a1");
        var watcher = Watcher(coordinator);
        _consul.SetCheck("a1:ttl", CheckStatus.Critical);
        var index = await watcher.PollAsync(0, CancellationToken.None);

        _consul.SetCheck("a1:ttl", CheckStatus.Passing);
        await watcher.PollAsync(index, CancellationToken.None);
        coordinator.Time.Advance(Silence);

        Assert.Empty(await watcher.LoseSilentAgentsAsync(CancellationToken.None));
        Assert.Equal(JobState.Running, (await coordinator.JobAsync(job.Id)).State);
    }

    [Fact]
    public async Task PollAsync_CriticalAgentUnknownToTheCoordinator_Ignored()
    {
        await using var coordinator = await TestCoordinator.CreateAsync(Consul);
        await RegisterAsync("stranger");
        _consul.SetCheck("stranger:ttl", CheckStatus.Critical);
        var watcher = Watcher(coordinator);

        await watcher.PollAsync(0, CancellationToken.None);

        Assert.Empty(await watcher.LoseSilentAgentsAsync(CancellationToken.None));
        Assert.Null(coordinator.Get<AgentDirectory>().Get("stranger"));
    }

    [Fact]
    public async Task PollAsync_LostAgentSaysHelloAgain_GetsALeaseAndIsLostAgainOnlyOnceSilent()
    {
        await using var coordinator = await TestCoordinator.CreateAsync(Consul);
        await coordinator.ConnectAsync("a1");
        await RegisterAsync("a1");
        _consul.SetCheck("a1:ttl", CheckStatus.Critical);
        var watcher = Watcher(coordinator);
        coordinator.Time.Advance(Silence);
        await watcher.PollAsync(0, CancellationToken.None);
        Assert.Equal(AgentStatus.Lost, coordinator.Get<AgentDirectory>().Get("a1")!.Status);

        await coordinator.ConnectAsync("a1");

        Assert.Empty(await watcher.LoseSilentAgentsAsync(CancellationToken.None));
        Assert.Equal(AgentStatus.Connected, coordinator.Get<AgentDirectory>().Get("a1")!.Status);
        coordinator.Time.Advance(Silence);
        Assert.Equal(["a1"], await watcher.LoseSilentAgentsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ExecuteAsync_CheckTurnsCritical_TheLoopRequeuesTheJob()
    {
        await using var coordinator = await TestCoordinator.CreateAsync(Consul);
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);
        await RegisterAsync("a1");
        using var events = coordinator.Get<JobEventHub>().Subscribe(job.Id);
        var watcher = Watcher(coordinator);
        await watcher.StartAsync(CancellationToken.None);
        try
        {
            // The blocking query wakes on the change; the agent has been silent long enough already.
            coordinator.Time.Advance(Silence);
            _consul.SetCheck("a1:ttl", CheckStatus.Critical, "TTL expired");

            var change = (await events.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).StateChange;
            Assert.Equal(JobState.Queued, change.To);
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task ExecuteAsync_ConsulDown_LogsOnceAndKeepsTrying()
    {
        await using var coordinator = await TestCoordinator.CreateAsync(Consul);
        _consul.Down = true;
        var watcher = Watcher(coordinator);
        await watcher.StartAsync(CancellationToken.None);
        try
        {
            // Retries back off 1, 2, 4 s...: step the clock until the loop has tried four times.
            await AdvanceUntilAsync(coordinator, () => _consul.Calls.Count >= 4);

            Assert.Single(coordinator.Logs.Entries.Select(e => e.Message), m => m.Contains("Reading agent health from Consul", StringComparison.Ordinal));
            var failed = _consul.Calls.Count;
            _consul.Down = false;
            await AdvanceUntilAsync(coordinator, () => coordinator.Logs.Entries.Any(e => e.Message.Contains("works again", StringComparison.Ordinal)));
            Assert.Contains(coordinator.Logs.Entries, e => e.Message.Contains($"works again after {failed} failure(s)", StringComparison.Ordinal));
        }
        finally
        {
            await watcher.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void AddCoordinatorDiscovery_NoAddress_AddsNothing()
    {
        var services = new ServiceCollection();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Coordinator:Consul:Token"] = "t" }).Build();

        services.AddCoordinatorDiscovery(configuration);

        Assert.DoesNotContain(services, s => s.ServiceType == typeof(IConsulClient) || s.ServiceType == typeof(ConsulAgentWatcher));
    }

    [Fact]
    public void AddCoordinatorDiscovery_Address_BindsTheClientFromTheCoordinatorSection()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Coordinator:Consul:Address"] = "http://10.1.2.3:8500",
            ["Coordinator:Consul:Token"] = "secret-token",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);

        services.AddCoordinatorDiscovery(configuration);
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ConsulOptions>>().Value;
        Assert.Equal("http://10.1.2.3:8500", options.Address);
        Assert.Equal("secret-token", options.Token);
        Assert.Contains(services, s => s.ServiceType == typeof(ConsulAgentWatcher));
    }

    private static void Consul(CoordinatorOptions options) => options.Consul = new CoordinatorConsulOptions { Address = "http://127.0.0.1:8500" };

    private ConsulAgentWatcher Watcher(TestCoordinator coordinator) => coordinator.Create<ConsulAgentWatcher>((IConsulClient)_consul, new ConsulAgentHealth());

    private Task RegisterAsync(string agentId) => _consul.RegisterServiceAsync(new ServiceRegistration
    {
        Name = ClusterServices.Agent,
        Id = agentId,
        Checks = [CheckDefinition.ForTtl(ClusterServices.CheckId(agentId), TimeSpan.FromSeconds(15)) with { InitialStatus = CheckStatus.Passing }],
    });

    private static async Task<Job> RunningJobAsync(TestCoordinator coordinator, TestAgentSession agent)
    {
        var job = await coordinator.SubmitAsync(TestSpecs.Valid());
        Assert.Equal(1, await coordinator.ScheduleAsync());
        var assignment = (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment;
        await agent.StartedAsync(job.Id, assignment.Attempt);
        return await coordinator.JobAsync(job.Id);
    }

    /// <summary>Moves the fake clock a second at a time, letting the loop run in between, until the condition holds.</summary>
    private static async Task AdvanceUntilAsync(TestCoordinator coordinator, Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            coordinator.Time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }
    }
}
