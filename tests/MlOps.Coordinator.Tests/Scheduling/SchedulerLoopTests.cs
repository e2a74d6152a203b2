using MlOps.Contracts;
using MlOps.Coordinator.Scheduling;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;

namespace MlOps.Coordinator.Tests.Scheduling;

public sealed class SchedulerLoopTests
{
    [Fact]
    public async Task RunOnceAsync_JobLargerThanEveryAgent_StaysQueuedAndLoggedOnce()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        await coordinator.ConnectAsync("small", cpuCores: 2);
        var job = await coordinator.SubmitAsync(TestSpecs.Valid(cpuCores: 32));

        for (var pass = 0; pass < 3; pass++)
        {
            Assert.Equal(0, await coordinator.ScheduleAsync());
        }

        Assert.Equal(JobState.Queued, (await coordinator.JobAsync(job.Id)).State);
        var warnings = coordinator.Logs.Entries.Where(e => e.EventId.Id == 1402).ToList();
        var warning = Assert.Single(warnings);
        Assert.Contains(job.Id, warning.Message);
    }

    [Fact]
    public async Task GetJob_QueuedJobThatDoesNotFit_CarriesTheSchedulersReason()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        await coordinator.ConnectAsync("small", cpuCores: 2);
        var job = await coordinator.SubmitAsync(TestSpecs.Valid(cpuCores: 32));
        await coordinator.ScheduleAsync();

        var shown = await coordinator.Create<MlOps.Coordinator.Api.JobGrpcService>()
            .GetJob(new GetJobRequest { JobId = job.Id }, new TestServerCallContext());

        Assert.StartsWith("needs 32 cores", shown.WaitingReason);
        Assert.Contains("more than any connected agent has in all", shown.WaitingReason);
    }

    [Fact]
    public async Task RunOnceAsync_DrainedAgent_GetsNoJobUntilUndrainedAndDrainSurvivesReconnect()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        await coordinator.ConnectAsync("a1", cpuCores: 4);
        var cluster = coordinator.Create<MlOps.Coordinator.Api.ClusterGrpcService>();
        var drained = await cluster.SetAgentDrain(new SetAgentDrainRequest { AgentId = "a1", Drain = true }, new TestServerCallContext());
        Assert.True(drained.Drained);
        var job = await coordinator.SubmitAsync(TestSpecs.Valid());

        Assert.Equal(0, await coordinator.ScheduleAsync());
        await coordinator.ConnectAsync("a1", cpuCores: 4); // a reconnect keeps the drain
        Assert.Equal(0, await coordinator.ScheduleAsync());
        Assert.True(Assert.Single((await cluster.ListAgents(new ListAgentsRequest(), new TestServerCallContext())).Agents).Drained);

        await cluster.SetAgentDrain(new SetAgentDrainRequest { AgentId = "a1", Drain = false }, new TestServerCallContext());
        Assert.Equal(1, await coordinator.ScheduleAsync());
        Assert.Equal(JobState.Assigned, (await coordinator.JobAsync(job.Id)).State);

        var unknown = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() =>
            cluster.SetAgentDrain(new SetAgentDrainRequest { AgentId = "nope", Drain = true }, new TestServerCallContext()));
        Assert.Equal(Grpc.Core.StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task RunOnceAsync_FailedAttempt_RetriedOnlyAfterTheBackoffWithTheReasonShown()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1", cpuCores: 4);
        var job = await coordinator.SubmitAsync(TestSpecs.Valid());
        Assert.Equal(1, await coordinator.ScheduleAsync());
        var first = (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment;
        await agent.SendAsync(new AgentMessage
        {
            Completed = new JobCompleted { JobId = job.Id, Attempt = first.Attempt, Outcome = JobOutcome.Failed, Message = "segfault", ExitCode = 139 },
        });

        Assert.Equal(JobState.Queued, (await coordinator.JobAsync(job.Id)).State);
        Assert.Equal(0, await coordinator.ScheduleAsync());
        var shown = await coordinator.Create<MlOps.Coordinator.Api.JobGrpcService>()
            .GetJob(new GetJobRequest { JobId = job.Id }, new TestServerCallContext());
        Assert.StartsWith("attempt 2 of 3 starts after", shown.WaitingReason);

        coordinator.Time.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(1, await coordinator.ScheduleAsync());
        Assert.Equal(2, (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment.Attempt);
    }

    [Fact]
    public async Task RunOnceAsync_NoConnectedAgent_NothingAssigned()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var job = await coordinator.SubmitAsync(TestSpecs.Valid());

        Assert.Equal(0, await coordinator.ScheduleAsync());
        Assert.Equal(JobState.Queued, (await coordinator.JobAsync(job.Id)).State);
    }

    [Fact]
    public async Task RunOnceAsync_AgentFull_SecondJobWaitsUntilFirstCompletes()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1", cpuCores: 2);
        var first = await coordinator.SubmitAsync(TestSpecs.Valid("first", cpuCores: 2));
        var second = await coordinator.SubmitAsync(TestSpecs.Valid("second", cpuCores: 2));

        Assert.Equal(1, await coordinator.ScheduleAsync());
        Assert.Equal(0, await coordinator.ScheduleAsync());
        var assignment = (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment;
        Assert.Equal(first.Id, assignment.JobId);
        Assert.Equal(coordinator.DatasetPath, assignment.DatasetPath);

        await agent.SendAsync(new AgentMessage
        {
            Completed = new JobCompleted { JobId = first.Id, Attempt = 1, Outcome = JobOutcome.Succeeded, Result = new JobResult() },
        });
        Assert.Equal(1, await coordinator.ScheduleAsync());

        Assert.Equal(second.Id, (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment.JobId);
        Assert.Equal(JobState.Assigned, (await coordinator.JobAsync(second.Id)).State);
    }

    [Fact]
    public async Task CaptureAsync_DisconnectedAgent_LeftOutOfSnapshot()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var gone = await coordinator.ConnectAsync("gone");
        await coordinator.ConnectAsync("here");
        await coordinator.Get<MlOps.Coordinator.Agents.AgentConnections>().ClosedAsync(gone.Session);

        var snapshot = await coordinator.Get<SnapshotSource>().CaptureAsync(CancellationToken.None);

        Assert.Equal(["here"], snapshot.Agents.Select(a => a.AgentId));
    }
}
