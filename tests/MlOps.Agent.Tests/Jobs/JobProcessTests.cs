using MlOps.Agent.Jobs;
using MlOps.Contracts;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Jobs;

/// <summary>Runs the real training child process (this agent's own binary in its <c>train</c> role).</summary>
[Trait("Category", "Integration")]
public sealed class JobProcessTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-agent");

    private JobAssignment Assignment(int epochs = 2) => TinyAssignments.Mlp("j-test", _temp.Combine("data"), epochs);

    [Fact]
    public async Task WaitAsync_TinyDataset_SucceedsWithProgressMetricsAndVerifiedWeights()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 600, 100);
        var outbox = new RecordingOutbox();

        await using var process = JobProcess.Start(Assignment(), _temp.Combine("job"), outbox, TimeProvider.System, 16);
        var completed = await process.WaitAsync(CancellationToken.None);

        Assert.True(completed.Outcome == JobOutcome.Succeeded, $"{completed.Message}\n{string.Join('\n', outbox.LogLines)}");
        Assert.True(completed.Result.Metrics["test_accuracy"] > 0.5);
        Assert.Equal(completed.Result.WeightsSha256, Sha256Digest.OfFile(completed.Result.WeightsUri));
        Assert.Contains(outbox.Messages, m => m.Progress is not null);
        Assert.Equal(outbox.Messages.Last(m => m.Progress is not null).Progress.Progress, process.LastProgress);
        Assert.Equal(2, outbox.Messages.Count(m => m.Metrics is not null && m.Metrics.Metrics.Epoch > 0));
        Assert.Contains(outbox.LogLines, l => l.Contains("training tiny"));
    }

    [Fact]
    public async Task WaitAsync_TruncatedDatasetFile_FailsNamingTheFile()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 600, 100);
        TinyMnistDataset.Truncate(_temp.Combine("data", "t10k-labels-idx1-ubyte.gz"), 0.5);
        var outbox = new RecordingOutbox();

        await using var process = JobProcess.Start(Assignment(), _temp.Combine("job"), outbox, TimeProvider.System, 16);
        var completed = await process.WaitAsync(CancellationToken.None);

        Assert.Equal(JobOutcome.Failed, completed.Outcome);
        Assert.Equal(3, completed.ExitCode);
        Assert.Contains("t10k-labels-idx1-ubyte.gz", completed.Message);
    }

    [Fact]
    public async Task CancelAsync_RunningJob_StopsWithCancelledOutcome()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 4000, 100);
        var outbox = new RecordingOutbox();

        await using var process = JobProcess.Start(Assignment(epochs: 200), _temp.Combine("job"), outbox, TimeProvider.System, 16);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!outbox.Messages.Any(m => m.Progress is not null) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        await process.CancelAsync(TimeSpan.FromSeconds(5));
        var completed = await process.WaitAsync(CancellationToken.None);

        Assert.Equal(JobOutcome.Cancelled, completed.Outcome);
    }

    [Fact]
    public async Task WaitAsync_ChildKilled_FailsWithSignal()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 4000, 100);
        var outbox = new RecordingOutbox();

        await using var process = JobProcess.Start(Assignment(epochs: 200), _temp.Combine("job"), outbox, TimeProvider.System, 16);
        await Task.Delay(500);
        process.KillTree();
        var completed = await process.WaitAsync(CancellationToken.None);

        Assert.Equal(JobOutcome.Failed, completed.Outcome);
        Assert.Contains("signal 9", completed.Message);
    }

    [Fact]
    public async Task WaitAsync_ResumeFileIsNotACheckpoint_FailsNamingTheCheckpointProblem()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 600, 100);
        var resume = _temp.Combine("resume.ckpt");
        File.WriteAllText(resume, "not a checkpoint at all");
        var assignment = Assignment();
        assignment.ResumePath = resume;
        var outbox = new RecordingOutbox();

        await using var process = JobProcess.Start(assignment, _temp.Combine("job"), outbox, TimeProvider.System, 16);
        var completed = await process.WaitAsync(CancellationToken.None);

        Assert.Equal(JobOutcome.Failed, completed.Outcome);
        Assert.Equal(1, completed.ExitCode);
        Assert.Contains("checkpoint error: checkpoint " + resume, completed.Message);
    }

    public void Dispose() => _temp.Dispose();
}
