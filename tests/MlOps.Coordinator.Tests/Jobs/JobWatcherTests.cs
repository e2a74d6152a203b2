using MlOps.Contracts;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;

namespace MlOps.Coordinator.Tests.Jobs;

public sealed class JobWatcherTests
{
    [Fact]
    public async Task WatchAsync_TerminalJob_ReplaysFromSeqAndEnds()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var job = await coordinator.SubmitAsync(TestSpecs.Valid());
        await coordinator.Get<JobCanceller>().CancelAsync(job.Id, null, CancellationToken.None);
        var all = new List<JobEvent>();
        var tail = new List<JobEvent>();

        await coordinator.Get<JobWatcher>().WatchAsync(job.Id, 0, e => Add(all, e), CancellationToken.None);
        await coordinator.Get<JobWatcher>().WatchAsync(job.Id, 1, e => Add(tail, e), CancellationToken.None);

        Assert.Equal([1L, 2L], all.Select(e => e.Seq));
        Assert.Equal([2L], tail.Select(e => e.Seq));
    }

    [Fact]
    public async Task WatchAsync_FromSeqPastTheEndOfTerminalJob_EndsAtOnce()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();
        var job = await coordinator.SubmitAsync(TestSpecs.Valid());
        await coordinator.Get<JobCanceller>().CancelAsync(job.Id, null, CancellationToken.None);
        var sent = new List<JobEvent>();

        await coordinator.Get<JobWatcher>().WatchAsync(job.Id, 99, e => Add(sent, e), CancellationToken.None);

        Assert.Empty(sent);
    }

    [Fact]
    public async Task WatchAsync_LiveEventsWithSmallBatches_EverySeqOnceInOrder()
    {
        await using var coordinator = await TestCoordinator.CreateAsync(o => o.MaxEventsPerWatchBatch = 2);
        var agent = await coordinator.ConnectAsync("a1");
        var job = await coordinator.SubmitAsync(TestSpecs.Valid());
        await coordinator.ScheduleAsync();
        var assignment = (await agent.NextAsync(CoordinatorMessage.KindOneofCase.Assignment)).Assignment;
        await agent.StartedAsync(job.Id, assignment.Attempt);
        var sent = new List<JobEvent>();
        var watching = coordinator.Get<JobWatcher>().WatchAsync(job.Id, 0, e => Add(sent, e), CancellationToken.None);

        for (var step = 1; step <= 20; step++)
        {
            await agent.SendAsync(new AgentMessage
            {
                Progress = new JobProgressUpdate { JobId = job.Id, Attempt = assignment.Attempt, Progress = new TrainingProgress { Step = step } },
            });
        }

        await agent.SendAsync(new AgentMessage
        {
            Completed = new JobCompleted { JobId = job.Id, Attempt = assignment.Attempt, Outcome = JobOutcome.Succeeded, Result = new JobResult() },
        });
        await watching.WaitAsync(TimeSpan.FromSeconds(10));

        var last = (await coordinator.JobAsync(job.Id)).LastEventSeq;
        Assert.Equal(Enumerable.Range(1, (int)last).Select(i => (long)i), sent.Select(e => e.Seq));
        Assert.Equal(JobState.Succeeded, sent[^1].StateChange.To);
    }

    [Fact]
    public async Task WatchAsync_UnknownJob_JobNotFoundException()
    {
        await using var coordinator = await TestCoordinator.CreateAsync();

        await Assert.ThrowsAsync<JobNotFoundException>(() =>
            coordinator.Get<JobWatcher>().WatchAsync("j-nope", 0, _ => Task.CompletedTask, CancellationToken.None));
    }

    private static Task Add(List<JobEvent> events, JobEvent e)
    {
        lock (events)
        {
            events.Add(e);
        }

        return Task.CompletedTask;
    }
}
