using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Leases;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;

namespace MlOps.Coordinator.Tests.Leases;

public sealed class LeaseMonitorTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ExpireDueAsync_MessagesKeepArriving_LeaseRenewedAndNothingLost()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);

        for (var i = 0; i < 5; i++)
        {
            coordinator.Time.Advance(TimeSpan.FromSeconds(10));
            await agent.HeartbeatAsync();
            Assert.Empty(await coordinator.Get<LeaseMonitor>().ExpireDueAsync(CancellationToken.None));
        }

        Assert.Equal(JobState.Running, (await coordinator.JobAsync(job.Id)).State);
        Assert.Equal(coordinator.Time.GetUtcNow() + Lease, coordinator.Get<AgentLeaseTable>().ExpiresAt("a1"));
        Assert.Equal(AgentStatus.Connected, coordinator.Get<AgentDirectory>().Get("a1")!.Status);
    }

    [Fact]
    public async Task ExpireDueAsync_JustBeforeExpiry_AgentKept()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        await coordinator.ConnectAsync("a1");

        coordinator.Time.Advance(Lease - TimeSpan.FromMilliseconds(1));

        Assert.Empty(await coordinator.Get<LeaseMonitor>().ExpireDueAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ExpireDueAsync_LeaseRunsOut_AgentLostStreamClosedAndJobRequeued()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);

        coordinator.Time.Advance(Lease);
        var lost = await coordinator.Get<LeaseMonitor>().ExpireDueAsync(CancellationToken.None);

        Assert.Equal(["a1"], lost);
        var requeued = await coordinator.JobAsync(job.Id);
        Assert.Equal(JobState.Queued, requeued.State);
        Assert.Equal(1, requeued.Attempt);
        Assert.Equal("", requeued.AgentId);
        Assert.Equal(AgentStatus.Lost, coordinator.Get<AgentDirectory>().Get("a1")!.Status);
        Assert.Equal(AgentStatus.Lost, (await coordinator.Store.ListAgentsAsync(CancellationToken.None)).Single().Status);
        Assert.False(coordinator.Get<MlOps.Coordinator.Deployments.ServingFleet>().Snapshot().Single(a => a.AgentId == "a1").Connected);
        Assert.True(agent.Session.Token.IsCancellationRequested);
        Assert.Contains("lease", agent.Session.CloseReason);
        var change = (await coordinator.Store.ReadEventsAsync(job.Id, 0, 100, CancellationToken.None))[^1].StateChange;
        Assert.Equal(JobState.Running, change.From);
        Assert.Equal(JobState.Queued, change.To);
        Assert.Equal("agent a1 lost; requeued after 1 of 3 attempts", change.Reason);
    }

    [Fact]
    public async Task ExpireDueAsync_RequeuedJob_NextAgentRunsItAsAttemptTwo()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var first = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, first);
        coordinator.Time.Advance(Lease);
        await coordinator.Get<LeaseMonitor>().ExpireDueAsync(CancellationToken.None);

        var second = await coordinator.ConnectAsync("a2");
        await coordinator.ScheduleAsync();

        var assignment = (await second.NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment;
        Assert.Equal(job.Id, assignment.JobId);
        Assert.Equal(2, assignment.Attempt);
    }

    [Fact]
    public async Task ExpireDueAsync_AttemptsUsedUp_JobFailedWithReason()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1");
        var spec = TestSpecs.Valid();
        spec.MaxAttempts = 1;
        var job = await RunningJobAsync(coordinator, agent, spec);

        coordinator.Time.Advance(Lease + TimeSpan.FromSeconds(1));
        await coordinator.Get<LeaseMonitor>().ExpireDueAsync(CancellationToken.None);

        var failed = await coordinator.JobAsync(job.Id);
        Assert.Equal(JobState.Failed, failed.State);
        Assert.Equal("agent a1 lost; 1 of 1 attempts used", failed.FailureReason);
        Assert.NotNull(failed.FinishedAt);
    }

    [Fact]
    public async Task ExpireDueAsync_JobCancelling_JobCancelled()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);
        var cancelling = await coordinator.Get<JobCanceller>().CancelAsync(job.Id, "no longer needed", CancellationToken.None);
        Assert.Equal(JobState.Cancelling, cancelling.State);

        coordinator.Time.Advance(Lease);
        await coordinator.Get<LeaseMonitor>().ExpireDueAsync(CancellationToken.None);

        Assert.Equal(JobState.Cancelled, (await coordinator.JobAsync(job.Id)).State);
    }

    [Fact]
    public async Task ExpireDueAsync_StreamClosedButLeaseValid_JobsKeptUntilExpiry()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);
        await coordinator.Get<AgentConnections>().ClosedAsync(agent.Session);

        coordinator.Time.Advance(TimeSpan.FromSeconds(10));
        await coordinator.Get<LeaseMonitor>().ExpireDueAsync(CancellationToken.None);

        Assert.Equal(JobState.Running, (await coordinator.JobAsync(job.Id)).State);
        Assert.Equal(AgentStatus.Disconnected, coordinator.Get<AgentDirectory>().Get("a1")!.Status);

        coordinator.Time.Advance(TimeSpan.FromSeconds(5));
        await coordinator.Get<LeaseMonitor>().ExpireDueAsync(CancellationToken.None);

        Assert.Equal(JobState.Queued, (await coordinator.JobAsync(job.Id)).State);
    }

    [Fact]
    public async Task ExecuteAsync_FakeClockPassesLease_MonitorLoopRequeuesJob()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);
        using var events = coordinator.Get<JobEventHub>().Subscribe(job.Id);
        var monitor = coordinator.Get<LeaseMonitor>();
        await monitor.StartAsync(CancellationToken.None);
        try
        {
            coordinator.Time.Advance(Lease + monitor.CheckInterval);

            // Waits for the loop's own work, not for time: the fake clock already fired the timer.
            var change = (await events.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))).StateChange;
            Assert.Equal(JobState.Queued, change.To);
        }
        finally
        {
            await monitor.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task OpenAsync_AgentRestartsWithoutItsJob_JobRequeued()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);

        var restarted = await coordinator.ConnectAsync("a1");

        Assert.True(agent.Session.Token.IsCancellationRequested);
        var requeued = await coordinator.JobAsync(job.Id);
        Assert.Equal(JobState.Queued, requeued.State);
        Assert.Contains("reconnected without the job", (await coordinator.Store.ReadEventsAsync(job.Id, 0, 100, CancellationToken.None))[^1].StateChange.Reason);
        Assert.Equal(CoordinatorMessage.KindOneofCase.Welcome, (await restarted.Sent.NextAsync()).KindCase);
    }

    [Fact]
    public async Task OpenAsync_AgentReportsCurrentAndStaleAttempts_KeepsCurrentCancelsStale()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);

        var reconnected = await coordinator.ConnectAsync("a1", running:
            [new JobAttempt { JobId = job.Id, Attempt = 1 }, new JobAttempt { JobId = "j-old", Attempt = 3 }]);

        Assert.Equal(JobState.Running, (await coordinator.JobAsync(job.Id)).State);
        var cancellation = (await reconnected.NextAsync(CoordinatorMessage.KindOneofCase.Cancellation)).Cancellation;
        Assert.Equal("j-old", cancellation.JobId);
        Assert.Equal(3, cancellation.Attempt);
        Assert.False(reconnected.Sent.TryNext(out _));
    }

    [Fact]
    public async Task HandleAsync_MessageForStaleAttempt_Ignored()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1");
        var job = await RunningJobAsync(coordinator, agent);

        await agent.SendAsync(new AgentMessage
        {
            Completed = new JobCompleted { JobId = job.Id, Attempt = 7, Outcome = JobOutcome.Succeeded },
        });

        var current = await coordinator.JobAsync(job.Id);
        Assert.Equal(JobState.Running, current.State);
    }

    /// <summary>Submits a job, lets the scheduler assign it to the agent and reports it started.</summary>
    private static async Task<Job> RunningJobAsync(TestCoordinator coordinator, TestAgentSession agent, JobSpec? spec = null)
    {
        var job = await coordinator.SubmitAsync(spec ?? TestSpecs.Valid());
        Assert.Equal(1, await coordinator.ScheduleAsync());
        var assignment = (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment;
        Assert.Equal(job.Id, assignment.JobId);
        await agent.StartedAsync(job.Id, assignment.Attempt);
        return await coordinator.JobAsync(job.Id);
    }
}
