using MlOps.Contracts;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;

namespace MlOps.Coordinator.Tests.Jobs;

public sealed class JobTransitionsTests
{
    private static readonly DateTimeOffset Now = TestCoordinator.Start;

    [Fact]
    public void Assign_QueuedJob_AssignedWithNextAttempt()
    {
        var mutation = JobTransitions.Assign("a1", Now)(Queued());

        Assert.NotNull(mutation);
        Assert.Equal(JobState.Assigned, mutation.Updated.State);
        Assert.Equal(1, mutation.Updated.Attempt);
        Assert.Equal("a1", mutation.Updated.AgentId);
        var change = Assert.Single(mutation.Events).StateChange;
        Assert.Equal((JobState.Queued, JobState.Assigned, 1, "a1"), (change.From, change.To, change.Attempt, change.AgentId));
    }

    [Fact]
    public void Assign_JobNotQueued_Declined()
    {
        Assert.Null(JobTransitions.Assign("a2", Now)(OnAgent(JobState.Running)));
    }

    [Theory]
    [InlineData("a1", 2, true)]
    [InlineData("a1", 1, false)]
    [InlineData("a2", 2, false)]
    public void Start_AttemptAndAgent_OnlyCurrentAttemptApplies(string agentId, int attempt, bool applies)
    {
        var mutation = JobTransitions.Start(agentId, attempt, 99, Now)(OnAgent(JobState.Assigned, attempt: 2));

        Assert.Equal(applies, mutation is not null);
    }

    [Fact]
    public void Complete_LastAttemptFailedWithExitCode_FailedWithMessageCodeAndAttempts()
    {
        var completed = new JobCompleted { JobId = "j-1", Attempt = 3, Outcome = JobOutcome.Failed, Message = "out of memory", ExitCode = 137 };

        var mutation = JobTransitions.Complete("a1", completed, Now)(OnAgent(JobState.Running, attempt: 3));

        Assert.Equal(JobState.Failed, mutation!.Updated.State);
        Assert.Equal("out of memory (exit code 137) (attempt 3 of 3)", mutation.Updated.FailureReason);
        Assert.NotNull(mutation.Updated.FinishedAt);
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(2, 20)]
    public void Complete_FailedWithAttemptsLeft_RequeuedWithDoublingBackoff(int attempt, int seconds)
    {
        var completed = new JobCompleted { JobId = "j-1", Attempt = attempt, Outcome = JobOutcome.Failed, Message = "CUDA error", ExitCode = 1 };

        var mutation = JobTransitions.Complete("a1", completed, Now, retryBackoff: TimeSpan.FromSeconds(10))(OnAgent(JobState.Running, attempt));

        Assert.Equal(JobState.Queued, mutation!.Updated.State);
        Assert.Equal("", mutation.Updated.AgentId);
        Assert.Equal(Now.AddSeconds(seconds), mutation.Updated.RetryNotBefore.ToDateTimeOffset());
        Assert.Equal("", mutation.Updated.FailureReason);
        Assert.StartsWith($"attempt {attempt} of 3 failed: CUDA error (exit code 1); retrying in {seconds} s",
            mutation.Events.Single().StateChange.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void RetryBackoff_ManyFailures_CappedAtFiveMinutes()
    {
        Assert.Equal(TimeSpan.FromMinutes(5), JobTransitions.RetryBackoff(12, TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromSeconds(40), JobTransitions.RetryBackoff(3, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Complete_SucceededWithRegistrationFailure_SucceedsWithSystemLogBeforeStateChange()
    {
        var completed = new JobCompleted { JobId = "j-1", Attempt = 1, Outcome = JobOutcome.Succeeded, Result = new JobResult() };

        var mutation = JobTransitions.Complete("a1", completed, Now, ModelRegistrationPlan.Failed("manifest gone"))(OnAgent(JobState.Running));

        Assert.Equal(JobState.Succeeded, mutation!.Updated.State);
        Assert.Null(mutation.Registration);
        Assert.Equal([JobEvent.PayloadOneofCase.Log, JobEvent.PayloadOneofCase.StateChange], mutation.Events.Select(e => e.PayloadCase));
        Assert.Equal((LogStream.System, "model registration failed: manifest gone"), (mutation.Events[0].Log.Stream, mutation.Events[0].Log.Text));
    }

    [Theory]
    [InlineData(JobOutcome.Succeeded, true)]
    [InlineData(JobOutcome.Failed, false)]
    public void Complete_WithDraft_RegistrationOnlyForSuccess(JobOutcome outcome, bool registers)
    {
        var completed = new JobCompleted { JobId = "j-1", Attempt = 1, Outcome = outcome, Result = new JobResult() };
        var draft = new ModelVersion { Model = "tiny-mlp" };

        var mutation = JobTransitions.Complete("a1", completed, Now, ModelRegistrationPlan.Register(draft))(OnAgent(JobState.Running));

        Assert.Equal(registers, mutation!.Registration is not null);
    }

    [Fact]
    public void Complete_SucceededWithMetrics_ResultStoredAndFinalMetricsEventBeforeStateChange()
    {
        var result = new JobResult { WeightsUri = "file:///w" };
        result.Metrics.Add("accuracy", 0.8);
        var completed = new JobCompleted { JobId = "j-1", Attempt = 1, Outcome = JobOutcome.Succeeded, Result = result };

        var mutation = JobTransitions.Complete("a1", completed, Now)(OnAgent(JobState.Running));

        Assert.Equal(result, mutation!.Updated.Result);
        Assert.Equal([JobEvent.PayloadOneofCase.Metrics, JobEvent.PayloadOneofCase.StateChange], mutation.Events.Select(e => e.PayloadCase));
    }

    [Theory]
    [InlineData(JobState.Queued, JobState.Cancelled)]
    [InlineData(JobState.Assigned, JobState.Cancelling)]
    [InlineData(JobState.Running, JobState.Cancelling)]
    public void Cancel_ActiveJob_NextState(JobState from, JobState to)
    {
        var job = from == JobState.Queued ? Queued() : OnAgent(from);

        Assert.Equal(to, JobTransitions.Cancel("stop", Now)(job)!.Updated.State);
    }

    [Theory]
    [InlineData(JobState.Cancelling)]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Failed)]
    [InlineData(JobState.Cancelled)]
    public void Cancel_CancellingOrFinished_Declined(JobState state)
    {
        Assert.Null(JobTransitions.Cancel("stop", Now)(OnAgent(state)));
    }

    [Fact]
    public void AgentGone_JobOnAnotherAgent_Declined()
    {
        Assert.Null(JobTransitions.AgentGone("a2", "lost", Now)(OnAgent(JobState.Running)));
    }

    [Theory]
    [InlineData("a1", 2, true)]
    [InlineData("a1", 1, false)]
    [InlineData("a2", 2, false)]
    public void Checkpointed_OnlyTheCurrentAttemptsCheckpointIsKept(string agentId, int attempt, bool kept)
    {
        var checkpoint = new CheckpointRef { Repository = "checkpoints/j-1", ManifestDigest = "sha256:m", Epoch = 3, Step = 7, GlobalStep = 47 };

        var mutation = JobTransitions.Checkpointed(agentId, attempt, checkpoint, Now)(OnAgent(JobState.Running, attempt: 2));

        Assert.Equal(kept, mutation is not null);
        if (mutation is not null)
        {
            Assert.Equal(("sha256:m", 47L, 2), (mutation.Updated.LastCheckpoint.ManifestDigest, mutation.Updated.LastCheckpoint.GlobalStep, mutation.Updated.LastCheckpoint.Attempt));
            Assert.Contains("epoch 3, step 7", Assert.Single(mutation.Events).Log.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Complete_Preempted_RequeuedAtOnceWithoutUsingAnAttempt()
    {
        var job = OnAgent(JobState.Running, attempt: 3);
        job.LastCheckpoint = new CheckpointRef { ManifestDigest = "sha256:m", Epoch = 2, Step = 5 };

        var mutation = JobTransitions.Complete("a1", new JobCompleted { JobId = "j-1", Attempt = 3, Outcome = JobOutcome.Preempted, Message = "preempted for j-9" }, Now)(job);

        Assert.NotNull(mutation);
        Assert.Equal((JobState.Queued, "", 1), (mutation.Updated.State, mutation.Updated.AgentId, mutation.Updated.Preemptions));
        Assert.Null(mutation.Updated.RetryNotBefore);
        Assert.Equal(2, JobTransitions.AttemptsUsed(mutation.Updated));
        Assert.Contains("resumes from epoch 2, step 5", Assert.Single(mutation.Events).StateChange.Reason, StringComparison.Ordinal);

        // A failure after the preemption is attempt 3 of 3 only when three attempts really ran and failed or were lost.
        var failed = JobTransitions.Complete("a1", new JobCompleted { JobId = "j-1", Attempt = 4, Outcome = JobOutcome.Failed }, Now)(
            Reassigned(mutation.Updated, attempt: 4));
        Assert.Equal(JobState.Failed, failed!.Updated.State);
        Assert.Contains("(attempt 3 of 3)", failed.Updated.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public void AgentGone_AfterAPreemption_RequeuedWhileUnpreemptedAttemptsRemain()
    {
        var job = OnAgent(JobState.Running, attempt: 3);
        job.Preemptions = 1;

        var mutation = JobTransitions.AgentGone("a1", "lost", Now)(job);

        Assert.Equal(JobState.Queued, mutation!.Updated.State);
    }

    [Fact]
    public void Complete_PreemptedWhileCancelling_Cancelled()
    {
        var mutation = JobTransitions.Complete("a1", new JobCompleted { JobId = "j-1", Attempt = 1, Outcome = JobOutcome.Preempted }, Now)(OnAgent(JobState.Cancelling));

        Assert.Equal(JobState.Cancelled, mutation!.Updated.State);
    }

    private static Job Reassigned(Job job, int attempt)
    {
        var copy = job.Clone();
        copy.State = JobState.Running;
        copy.AgentId = "a1";
        copy.Attempt = attempt;
        return copy;
    }

    private static Job Queued() => JobTransitions.Create("j-1", TestSpecs.Valid(), "sha256:x", 3, Now).Updated;

    private static Job OnAgent(JobState state, int attempt = 1)
    {
        var job = Queued();
        job.State = state;
        job.AgentId = "a1";
        job.Attempt = attempt;
        return job;
    }
}
