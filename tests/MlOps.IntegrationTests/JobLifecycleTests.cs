using MlOps.Contracts;
using MlOps.Core.Digests;

namespace MlOps.IntegrationTests;

[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class JobLifecycleTests
{
    [Fact]
    public async Task SubmitJob_WithRealAgent_CompletesWithMetricsAndWeights()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("a1");

        var submitted = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("lifecycle") });
        var job = await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled, TimeSpan.FromMinutes(2));

        Assert.True(job.State == JobState.Succeeded, $"job ended {job.State}: {job.FailureReason}\n{cluster.Diagnostics()}");
        Assert.Equal("a1", job.AgentId);
        Assert.Equal(1, job.Attempt);
        Assert.True(job.Result.Metrics["test_accuracy"] > 0.5, $"test accuracy {job.Result.Metrics["test_accuracy"]}");
        Assert.True(Sha256Digest.IsValid(job.Result.WeightsSha256));
        var weights = new Uri(job.Result.WeightsUri).LocalPath;
        Assert.Equal(job.Result.WeightsSha256, Sha256Digest.OfFile(weights));
        Assert.StartsWith("sha256:", job.DatasetDigest);

        var events = await cluster.ReadEventsAsync(job.Id);
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Seq));
        var states = events.Where(e => e.StateChange is not null).Select(e => e.StateChange.To).ToList();
        Assert.Equal([JobState.Queued, JobState.Assigned, JobState.Running, JobState.Succeeded], states);
        Assert.Contains(events, e => e.Progress is not null && e.Progress.Step > 0);
        Assert.Equal(3, events.Count(e => e.Metrics is not null && e.Metrics.Epoch > 0));
        Assert.Contains(events, e => e.Log is not null);

        var resumed = await cluster.ReadEventsAsync(job.Id, fromSeq: events[^3].Seq);
        Assert.Equal(events.TakeLast(2).Select(e => e.Seq), resumed.Select(e => e.Seq));
    }

    [Fact]
    public async Task AgentKilledMidJob_JobIsRequeuedAndCompletesOnSecondAgent()
    {
        await using var cluster = new LocalCluster().WithTinyDataset(trainCount: 6000, testCount: 200);
        await cluster.StartCoordinatorAsync();
        var first = await cluster.StartAgentAsync("first");

        var submitted = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("survivor", epochs: 12, hidden: 128) });
        await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State == JobState.Running && j.LastProgress?.Step > 0, TimeSpan.FromMinutes(1));

        await first.KillHardAsync();
        await cluster.StartAgentAsync("second");
        var job = await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State is JobState.Succeeded or JobState.Failed, TimeSpan.FromMinutes(3));

        Assert.True(job.State == JobState.Succeeded, $"job ended {job.State}: {job.FailureReason}\n{cluster.Diagnostics()}");
        Assert.Equal("second", job.AgentId);
        Assert.Equal(2, job.Attempt);
        var events = await cluster.ReadEventsAsync(job.Id);
        var requeue = Assert.Single(events, e => e.StateChange?.To == JobState.Queued && e.StateChange.From != JobState.Unspecified);
        Assert.Contains("first", requeue.StateChange.Reason);
        var agents = await cluster.Cluster.ListAgentsAsync(new ListAgentsRequest());
        Assert.Equal(AgentStatus.Lost, agents.Agents.Single(a => a.AgentId == "first").Status);
    }

    [Fact]
    public async Task CancelJob_WhileRunning_StopsProcessAndJobIsCancelled()
    {
        await using var cluster = new LocalCluster().WithTinyDataset(trainCount: 6000, testCount: 200);
        await cluster.StartCoordinatorAsync();
        var agent = await cluster.StartAgentAsync("worker");

        var submitted = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("doomed", epochs: 50, hidden: 128) });
        await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State == JobState.Running && j.LastProgress?.Step > 0, TimeSpan.FromMinutes(1));

        var cancelledAt = DateTime.UtcNow;
        await cluster.Jobs.CancelJobAsync(new CancelJobRequest { JobId = submitted.Job.Id, Reason = "test" });
        var job = await cluster.WaitForJobAsync(submitted.Job.Id, j => j.State is JobState.Cancelled or JobState.Succeeded or JobState.Failed, TimeSpan.FromSeconds(30));

        Assert.Equal(JobState.Cancelled, job.State);
        Assert.True(DateTime.UtcNow - cancelledAt < TimeSpan.FromSeconds(15), "cancel took longer than 15 s");
        Assert.False(agent.HasExited, "the agent must survive a cancelled job");
        var agents = await cluster.Cluster.ListAgentsAsync(new ListAgentsRequest());
        var worker = agents.Agents.Single(a => a.AgentId == "worker");
        Assert.Empty(worker.RunningJobIds);
    }

    [Fact]
    public async Task CoordinatorRestart_KeepsEveryJobAndItsEventHistory()
    {
        await using var cluster = new LocalCluster().WithTinyDataset();
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("a1");

        var done = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("before-restart", epochs: 2) });
        await cluster.WaitForJobAsync(done.Job.Id, j => j.State == JobState.Succeeded, TimeSpan.FromMinutes(2));
        var waitingSpec = Specs.TinyMlp("needs-gpu");
        waitingSpec.Resources.Gpus = 1; // no agent here has one: stays queued
        var waiting = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = waitingSpec });
        var jobBefore = await cluster.Jobs.GetJobAsync(new GetJobRequest { JobId = done.Job.Id });
        var eventsBefore = await cluster.ReadEventsAsync(done.Job.Id);

        await cluster.RestartCoordinatorAsync();

        var jobAfter = await cluster.Jobs.GetJobAsync(new GetJobRequest { JobId = done.Job.Id });
        Assert.Equal(jobBefore, jobAfter);
        var eventsAfter = await cluster.ReadEventsAsync(done.Job.Id);
        Assert.Equal(eventsBefore, eventsAfter);
        var queued = await cluster.Jobs.GetJobAsync(new GetJobRequest { JobId = waiting.Job.Id });
        Assert.Equal(JobState.Queued, queued.State);
        var all = await cluster.Jobs.ListJobsAsync(new ListJobsRequest());
        Assert.Equal(2, all.Jobs.Count);

        // The agent reconnects to the new coordinator and takes new work.
        var after = await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = Specs.TinyMlp("after-restart", epochs: 1) });
        var finished = await cluster.WaitForJobAsync(after.Job.Id, j => j.State is JobState.Succeeded or JobState.Failed, TimeSpan.FromMinutes(2));
        Assert.Equal(JobState.Succeeded, finished.State);
    }
}
