using MlOps.Contracts;

namespace MlOps.IntegrationTests;

/// <summary>
/// Lease self-fencing with real processes: an agent frozen by SIGSTOP keeps its training process running (children are
/// not stopped with it), but the process stops by itself once the agent's lease runs out — before the coordinator gives
/// the job to another agent — so the job never trains in two places at once.
/// </summary>
[Collection(ClusterCollection.Name)]
[Trait("Category", "Integration")]
public sealed class SelfFencingTests
{
    [Fact]
    public async Task FrozenAgent_ItsTrainingProcessStopsBeforeTheJobRunsElsewhere()
    {
        await using var cluster = new LocalCluster().WithTinyDataset(trainCount: 6000);
        await cluster.StartCoordinatorAsync();
        var frozen = await cluster.StartAgentAsync("frozen");
        var spec = Specs.TinyMlp("fenced", epochs: 60);
        spec.Checkpoint = new CheckpointPolicy { EverySteps = 100 };
        var jobId = (await cluster.Jobs.SubmitJobAsync(new SubmitJobRequest { Spec = spec })).Job.Id;
        await cluster.WaitForJobAsync(jobId, j => j.State == JobState.Running && j.LastProgress?.Step > 0, TimeSpan.FromSeconds(90));
        var started = await frozen.WaitForLineAsync($"Job {jobId} attempt 1 started as process", TimeSpan.FromSeconds(10));
        var pid = int.Parse(System.Text.RegularExpressions.Regex.Match(started, @"started as process (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(IsTraining(pid), $"training process {pid} is not running");
        await cluster.StartAgentAsync("spare");

        frozen.Pause();
        try
        {
            // The child outlives its frozen agent only until the lease it was given runs out.
            await Eventually.Async(() => Task.FromResult(!IsTraining(pid)), TimeSpan.FromSeconds(15),
                () => $"training process {pid} still runs under the frozen agent\n{cluster.Diagnostics()}");
            var moved = await cluster.WaitForJobAsync(jobId, j => j.State == JobState.Running && j.AgentId == "spare", TimeSpan.FromSeconds(60));
            Assert.Equal(2, moved.Attempt);
        }
        finally
        {
            frozen.Resume();
        }

        var done = await cluster.WaitForJobAsync(jobId, j => j.State is JobState.Succeeded or JobState.Failed, TimeSpan.FromMinutes(3));
        Assert.True(done.State == JobState.Succeeded, $"{done.State}: {done.FailureReason}\n{cluster.Diagnostics()}");
        Assert.Equal(("spare", 2), (done.AgentId, done.Attempt));
        Assert.Single((await cluster.Models.ListModelVersionsAsync(new ListModelVersionsRequest { Model = "fenced" })).Versions);
        // Woken, the agent finds its training process gone and says why (the report itself is stale and ignored).
        await frozen.WaitForLineAsync("the agent's lease with the coordinator ran out", TimeSpan.FromSeconds(30));
    }

    /// <summary>True while the process exists and has not exited (a zombie under a frozen parent has exited).</summary>
    private static bool IsTraining(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] is not ('Z' or 'X');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
