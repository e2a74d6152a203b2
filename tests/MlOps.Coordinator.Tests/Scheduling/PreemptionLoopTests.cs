using MlOps.Contracts;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;

namespace MlOps.Coordinator.Tests.Scheduling;

/// <summary>Preemption through the scheduler loop and the agent stream (fake clock, in-memory sessions): the victim's
/// agent is told to checkpoint and stop, the victim is requeued without using an attempt, the preemptor gets the agent,
/// and the victim's next attempt resumes from its checkpoint.</summary>
public sealed class PreemptionLoopTests
{
    [Fact]
    public async Task HigherPriorityJob_PreemptsTheRunningJob_WhichResumesFromItsCheckpointAfterwards()
    {
        await using var coordinator = await TestCoordinator.CreateAsync(
            o => o.CheckpointEvery = TimeSpan.FromMinutes(1),
            s =>
            {
                s.Preemption = true;
                s.MinRunTimeBeforePreemption = TimeSpan.FromMinutes(2);
            });
        var agent = await coordinator.ConnectAsync("gpu1", cpuCores: 8, gpus: 1);
        var low = await coordinator.SubmitAsync(TestSpecs.Valid("low", priority: 0, gpus: 1));
        Assert.Equal(1, await coordinator.ScheduleAsync());
        var first = (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment;
        Assert.Equal(new CheckpointPolicy { EverySeconds = 60 }, first.Checkpoint);
        Assert.Null(first.ResumeFrom);
        await agent.StartedAsync(low.Id, 1);
        var checkpoint = new CheckpointRef { Repository = $"checkpoints/{low.Id}", ManifestDigest = "sha256:" + new string('c', 64), Epoch = 2, Step = 3, GlobalStep = 40 };
        await agent.SendAsync(new AgentMessage { Checkpointed = new JobCheckpointed { JobId = low.Id, Attempt = 1, Checkpoint = checkpoint } });

        // Too early: the running job is younger than the minimum run time, so the high-priority job waits.
        var high = await coordinator.SubmitAsync(TestSpecs.Valid("high", priority: 5, gpus: 1));
        Assert.Equal(0, await coordinator.ScheduleAsync());
        Assert.Equal(JobState.Running, (await coordinator.JobAsync(low.Id)).State);

        coordinator.Time.Advance(TimeSpan.FromMinutes(3));
        Assert.Equal(0, await coordinator.ScheduleAsync());
        var cancel = (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Cancellation)).Cancellation;
        Assert.Equal((low.Id, 1, true), (cancel.JobId, cancel.Attempt, cancel.Preempt));
        Assert.Contains(high.Id, cancel.Reason, StringComparison.Ordinal);

        // A second pass while the victim stops orders nothing more and places nothing there.
        Assert.Equal(0, await coordinator.ScheduleAsync());
        Assert.Equal(JobState.Queued, (await coordinator.JobAsync(high.Id)).State);

        await agent.SendAsync(new AgentMessage { Completed = new JobCompleted { JobId = low.Id, Attempt = 1, Outcome = JobOutcome.Preempted, Message = "preempted" } });
        var requeued = await coordinator.JobAsync(low.Id);
        Assert.Equal((JobState.Queued, 1, 0), (requeued.State, requeued.Preemptions, JobTransitions.AttemptsUsed(requeued)));

        // The preemptor gets the GPU; the victim waits, then resumes from its checkpoint.
        Assert.Equal(1, await coordinator.ScheduleAsync());
        var second = (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment;
        Assert.Equal(high.Id, second.JobId);
        await agent.StartedAsync(high.Id, 1);
        await agent.SendAsync(new AgentMessage { Completed = new JobCompleted { JobId = high.Id, Attempt = 1, Outcome = JobOutcome.Succeeded } });

        Assert.Equal(1, await coordinator.ScheduleAsync());
        var resumed = (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment;
        Assert.Equal((low.Id, 2), (resumed.JobId, resumed.Attempt));
        Assert.Equal(checkpoint.ManifestDigest, resumed.ResumeFrom.ManifestDigest);
        Assert.Equal((2, 3, 1), (resumed.ResumeFrom.Epoch, resumed.ResumeFrom.Step, resumed.ResumeFrom.Attempt));
    }

    [Fact]
    public async Task PreemptionOff_HigherPriorityJobWaitsForTheRunningOne()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("gpu1", cpuCores: 8, gpus: 1);
        var low = await coordinator.SubmitAsync(TestSpecs.Valid("low", priority: 0, gpus: 1));
        await coordinator.ScheduleAsync();
        await agent.StartedAsync(low.Id, 1);
        await coordinator.SubmitAsync(TestSpecs.Valid("high", priority: 5, gpus: 1));
        coordinator.Time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(0, await coordinator.ScheduleAsync());

        Assert.Equal(JobState.Running, (await coordinator.JobAsync(low.Id)).State);
        Assert.DoesNotContain(agent.Sent.Items, m => m.KindCase == CoordinatorMessage.KindOneofCase.Cancellation);
    }

    [Fact]
    public async Task Checkpoint_FromAStaleAttempt_IsIgnored()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var agent = await coordinator.ConnectAsync("a1");
        var job = await coordinator.SubmitAsync(TestSpecs.Valid());
        await coordinator.ScheduleAsync();
        await agent.StartedAsync(job.Id, 1);

        await agent.SendAsync(new AgentMessage { Checkpointed = new JobCheckpointed { JobId = job.Id, Attempt = 7, Checkpoint = new CheckpointRef { ManifestDigest = "sha256:x" } } });

        Assert.Null((await coordinator.JobAsync(job.Id)).LastCheckpoint);
    }
}
