using MlOps.Contracts;

namespace MlOps.IntegrationTests;

/// <summary>
/// Preemption end to end with a real coordinator, a real agent and real training: a high-priority job preempts a
/// running low-priority one, which saves a checkpoint, stops, waits, and resumes from that checkpoint afterwards;
/// both succeed once and never share the agent's cores.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class PreemptionTests
{
    [Fact]
    public async Task HighPriorityJob_PreemptsTheRunningJob_WhichResumesFromItsCheckpointAndSucceeds()
    {
        await using var cluster = new LocalCluster().WithTinyDataset(trainCount: 3000);
        cluster.CoordinatorArguments.AddRange(["--Scheduling:Preemption=true", "--Scheduling:MinRunTimeBeforePreemption=00:00:00"]);
        await cluster.StartCoordinatorAsync();
        await cluster.StartAgentAsync("solo");
        var cores = (await cluster.Cluster.ListAgentsAsync(new ListAgentsRequest())).Agents.Single().Capacity.CpuCores;

        var lowSpec = Specs.TinyMlp("preempt-low", epochs: 40);
        lowSpec.Resources.CpuCores = cores;
        lowSpec.Checkpoint = new CheckpointPolicy { EverySteps = 30 };
        var low = (await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = lowSpec })).Job.Id;
        await cluster.WaitForJobAsync(low, j => j.State == JobState.Running && j.LastCheckpoint is not null, TimeSpan.FromSeconds(90));

        var highSpec = Specs.TinyMlp("preempt-high", epochs: 2);
        highSpec.Resources.CpuCores = cores;
        highSpec.Priority = 5;
        var high = (await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = highSpec })).Job.Id;

        var highDone = await cluster.WaitForJobAsync(high, j => j.State is JobState.Succeeded or JobState.Failed, TimeSpan.FromMinutes(2));
        Assert.True(highDone.State == JobState.Succeeded, $"{highDone.State}: {highDone.FailureReason}\n{cluster.Diagnostics()}");
        var lowDone = await cluster.WaitForJobAsync(low, j => j.State is JobState.Succeeded or JobState.Failed, TimeSpan.FromMinutes(3));
        Assert.True(lowDone.State == JobState.Succeeded, $"{lowDone.State}: {lowDone.FailureReason}\n{cluster.Diagnostics()}");

        Assert.Equal((2, 1), (lowDone.Attempt, lowDone.Preemptions));
        var events = await cluster.ReadEventsAsync(low);
        var preempted = events.Single(e => e.StateChange is { From: JobState.Running, To: JobState.Queued });
        Assert.Contains(high, preempted.StateChange.Reason, StringComparison.Ordinal);
        Assert.Contains("resumes from epoch", preempted.StateChange.Reason, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Log?.Text.Contains("resumed from checkpoint", StringComparison.Ordinal) == true);

        // The high-priority job started only after the low one had stopped: they never shared the agent's cores.
        Assert.True(highDone.StartedAt.ToDateTime() >= preempted.Time.ToDateTime(),
            $"high started {highDone.StartedAt}, low stopped {preempted.Time}");
        Assert.Single((await cluster.Models.ListModelVersionsAsync(new ListModelVersionsRequest { Model = "preempt-low" })).Versions);
        Assert.Single((await cluster.Models.ListModelVersionsAsync(new ListModelVersionsRequest { Model = "preempt-high" })).Versions);
    }
}
