using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Agent.Jobs;
using MlOps.Agent.Options;
using MlOps.Artifacts;
using MlOps.Artifacts.Configuration;
using MlOps.Contracts;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Jobs;

/// <summary>Checkpoint upload, preemption and resume through the supervisor with the real training child.</summary>
[Trait("Category", "Integration")]
public sealed class JobSupervisorCheckpointTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _temp = new("mlops-supervisor-ckpt");
    private readonly IArtifactStore _store;
    private readonly RecordingOutbox _outbox = new();

    public JobSupervisorCheckpointTests() => _store = ArtifactStoreFactory.CreateLayout(_temp.Combine("store"));

    [Fact]
    public async Task Start_CheckpointEveryFewSteps_PostsCheckpointedWhoseArtifactsHoldTheFiles()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 600, 100);
        await using var supervisor = Supervisor();

        supervisor.Start(Assignment(attempt: 1, epochs: 2, everySteps: 5));
        var completed = await CompletedAsync(1);

        Assert.True(completed.Outcome == JobOutcome.Succeeded, Describe(completed));
        var checkpoints = Checkpointed(1);
        Assert.NotEmpty(checkpoints);
        Assert.All(checkpoints, c => Assert.Equal("checkpoints/j-ckpt", c.Repository));
        Assert.Equal(checkpoints.Select(c => c.GlobalStep).Order(), checkpoints.Select(c => c.GlobalStep));
        foreach (var checkpoint in checkpoints)
        {
            var pulled = _temp.Combine("pulled", checkpoint.GlobalStep + ".ckpt");
            await new CheckpointPublisher(_store).PullAsync(checkpoint, pulled, CancellationToken.None);
            Assert.Equal(checkpoint.FileDigest, Sha256Digest.OfFile(pulled));
            Assert.Equal(checkpoint.Bytes, new FileInfo(pulled).Length);
            Assert.Equal(0, checkpoint.GlobalStep % 5);
        }

        // The newest checkpoint the trainer wrote is never skipped, and its file is the one left on the node.
        var left = Assert.Single(Directory.GetFiles(_temp.Combine("agent", "jobs", "j-ckpt", "attempt-1", "checkpoints")));
        Assert.Equal(checkpoints[^1].FileDigest, Sha256Digest.OfFile(left));
        Assert.DoesNotContain(_outbox.LogLines, l => l.Contains("could not upload"));
    }

    [Fact]
    public async Task Cancel_Preempt_PostsCheckpointedThenCompletedPreempted()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 4000, 100);
        await using var supervisor = Supervisor();
        supervisor.Start(Assignment(attempt: 1, epochs: 200, disabled: true));
        await WaitForAsync(() => _outbox.Messages.Any(m => m.Progress is not null || m.Completed is not null));

        supervisor.Cancel("j-ckpt", 1, "job j-urgent needs the GPU", preempt: true);
        var completed = await CompletedAsync(1);

        Assert.True(completed.Outcome == JobOutcome.Preempted, Describe(completed));
        Assert.Equal(75, completed.ExitCode);
        var messages = _outbox.Messages.ToList();
        var checkpointedAt = messages.FindLastIndex(m => m.Checkpointed is not null);
        Assert.True(checkpointedAt >= 0 && checkpointedAt < messages.FindIndex(m => m.Completed is not null), "Checkpointed must come before Completed");
        var checkpoint = messages[checkpointedAt].Checkpointed.Checkpoint;
        Assert.Equal($"preempted: job j-urgent needs the GPU; checkpoint at epoch {checkpoint.Epoch} step {checkpoint.Step}", completed.Message);
        Assert.True(await _store.BlobExistsAsync(checkpoint.Repository, checkpoint.FileDigest));
        Assert.Single(messages, m => m.Checkpointed is not null); // Periodic checkpoints are disabled: only the one at stop.
    }

    [Fact]
    public async Task Start_ResumeFrom_ChildResumesFromTheFetchedCheckpointAndSucceeds()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 600, 100);
        await using var supervisor = Supervisor();
        supervisor.Start(Assignment(attempt: 1, epochs: 2, everySteps: 10));
        Assert.Equal(JobOutcome.Succeeded, (await CompletedAsync(1)).Outcome);
        var checkpoint = Checkpointed(1)[0];

        var resumed = Assignment(attempt: 2, epochs: 2, everySteps: 10);
        resumed.ResumeFrom = checkpoint;
        supervisor.Start(resumed);
        var completed = await CompletedAsync(2);

        Assert.True(completed.Outcome == JobOutcome.Succeeded, Describe(completed));
        Assert.Contains(AttemptLog(2), l => l.Contains("resumed from checkpoint") && l.Contains(Path.Combine("attempt-2", "resume", "checkpoint.ckpt")));
        Assert.Equal(checkpoint.FileDigest, Sha256Digest.OfFile(_temp.Combine("agent", "jobs", "j-ckpt", "attempt-2", "resume", "checkpoint.ckpt")));
    }

    [Fact]
    public async Task Start_ResumeCheckpointMissing_StartsFromScratchWithALogLine()
    {
        TinyMnistDataset.Write(_temp.Combine("data"), 600, 100);
        await using var supervisor = Supervisor();
        var assignment = Assignment(attempt: 2, epochs: 1, disabled: true);
        assignment.ResumeFrom = new CheckpointRef
        {
            Repository = "checkpoints/j-ckpt",
            ManifestDigest = "sha256:" + new string('a', 64),
            FileDigest = "sha256:" + new string('b', 64),
            Epoch = 1,
            Step = 10,
        };

        supervisor.Start(assignment);
        var completed = await CompletedAsync(2);

        Assert.True(completed.Outcome == JobOutcome.Succeeded, Describe(completed));
        var log = AttemptLog(2);
        Assert.Contains(log, l => l.StartsWith("could not fetch checkpoint checkpoints/j-ckpt@sha256:aaaa", StringComparison.Ordinal) && l.EndsWith("; starting from scratch", StringComparison.Ordinal));
        Assert.DoesNotContain(log, l => l.Contains("resumed from checkpoint"));
    }

    public void Dispose() => _temp.Dispose();

    private JobSupervisor Supervisor()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new AgentOptions { DataDirectory = _temp.Combine("agent") });
        var ledger = new AttemptLedger(_temp.Combine("agent"), TimeProvider.System, NullLogger<AttemptLedger>.Instance);
        return new JobSupervisor(_outbox, options, _store, ledger, TimeProvider.System, NullLogger<JobSupervisor>.Instance);
    }

    private JobAssignment Assignment(int attempt, int epochs, long everySteps = 0, bool disabled = false)
    {
        var assignment = TinyAssignments.Mlp("j-ckpt", _temp.Combine("data"), epochs, attempt: attempt);
        assignment.Checkpoint = new CheckpointPolicy { EverySteps = everySteps, Disabled = disabled };
        return assignment;
    }

    private async Task<JobCompleted> CompletedAsync(int attempt)
    {
        await WaitForAsync(() => _outbox.Messages.Any(m => m.Completed?.Attempt == attempt));
        return _outbox.Messages.First(m => m.Completed?.Attempt == attempt).Completed;
    }

    private static Task WaitForAsync(Func<bool> condition) => TinyAssignments.WaitForAsync(condition, Patience);

    private List<CheckpointRef> Checkpointed(int attempt) =>
        [.. _outbox.Messages.Where(m => m.Checkpointed?.Attempt == attempt).Select(m => m.Checkpointed.Checkpoint)];

    private List<string> AttemptLog(int attempt) =>
        [.. _outbox.Messages.Where(m => m.Logs?.Attempt == attempt).SelectMany(m => m.Logs.Lines).Select(l => l.Text)];

    private string Describe(JobCompleted completed) => $"{completed.Outcome}: {completed.Message}\n{string.Join('\n', _outbox.LogLines)}";
}
