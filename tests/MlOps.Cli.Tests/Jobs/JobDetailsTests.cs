using Google.Protobuf.WellKnownTypes;
using MlOps.Cli.Jobs;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Jobs;

public sealed class JobDetailsTests
{
    [Fact]
    public void Describe_PreemptedJobWithCheckpoint_ShowsCountedAttemptsAndTheCheckpoint()
    {
        var job = new Job
        {
            Id = "j-1",
            Spec = new JobSpec { Name = "mlp" },
            State = JobState.Queued,
            Attempt = 3,
            MaxAttempts = 3,
            Preemptions = 1,
            LastCheckpoint = new CheckpointRef
            {
                Repository = "checkpoints/j-1",
                ManifestDigest = "sha256:abc",
                Epoch = 4,
                Step = 12,
                Attempt = 3,
                CreatedAt = Timestamp.FromDateTimeOffset(new DateTimeOffset(2026, 11, 27, 10, 0, 0, TimeSpan.Zero)),
            },
        };
        using var text = new StringWriter();

        JobDetailsCommand.Describe(job).Write(text);

        var output = text.ToString();
        Assert.Contains("3 (2 of 3 used; 1 preempted, not counted)", output, StringComparison.Ordinal);
        Assert.Contains("epoch 4, step 12 (attempt 3,", output, StringComparison.Ordinal);
        Assert.Contains("checkpoints/j-1@sha256:abc", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_NoPreemptionNoCheckpoint_PlainAttemptAndNoCheckpointLine()
    {
        var job = new Job { Id = "j-2", Spec = new JobSpec { Name = "mlp" }, State = JobState.Running, Attempt = 1, MaxAttempts = 3 };
        using var text = new StringWriter();

        JobDetailsCommand.Describe(job).Write(text);

        Assert.Contains("1 of 3", text.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("checkpoint", text.ToString(), StringComparison.Ordinal);
    }
}
