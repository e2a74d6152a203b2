using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Jobs;

/// <summary>
/// The job state machine as pure functions: each returns the job's next version and the events that explain
/// it, or null when the change does not apply to the job as it is now (wrong state, another agent, a stale
/// attempt). The store runs them inside its write transaction, so a decision and its write are atomic.
/// </summary>
internal static class JobTransitions
{
    public static JobMutation Create(string jobId, JobSpec spec, string datasetDigest, int maxAttempts, DateTimeOffset now)
    {
        var job = new Job
        {
            Id = jobId,
            Spec = spec,
            State = JobState.Queued,
            CreatedAt = Timestamp.FromDateTimeOffset(now),
            DatasetDigest = datasetDigest,
            MaxAttempts = maxAttempts,
        };
        return new JobMutation(job, [StateEvent(now, JobState.Unspecified, JobState.Queued, "submitted", 0, "")]);
    }

    /// <summary>QUEUED → ASSIGNED on <paramref name="agentId"/>, starting the next attempt.</summary>
    public static JobMutator Assign(string agentId, DateTimeOffset now) => job =>
    {
        if (job.State != JobState.Queued)
        {
            return null;
        }

        var from = job.State;
        job.State = JobState.Assigned;
        job.AgentId = agentId;
        job.Attempt++;
        job.GpuUuids.Clear(); // the new attempt's GPUs are known once it starts
        return Change(job, from, now, $"assigned to agent {agentId}");
    };

    /// <summary>ASSIGNED → RUNNING when the agent reports the child process started, with the GPUs it pinned it to.</summary>
    public static JobMutator Start(string agentId, int attempt, int pid, DateTimeOffset now, IReadOnlyList<string>? gpuUuids = null) => job =>
    {
        if (!IsCurrent(job, agentId, attempt) || job.State != JobState.Assigned)
        {
            return null;
        }

        job.State = JobState.Running;
        job.StartedAt = Timestamp.FromDateTimeOffset(now);
        job.GpuUuids.Clear();
        job.GpuUuids.AddRange(gpuUuids ?? []);
        return Change(job, JobState.Assigned, now, gpuUuids is { Count: > 0 }
            ? $"started on agent {agentId} (pid {pid}, GPUs {string.Join(',', gpuUuids)})"
            : $"started on agent {agentId} (pid {pid})");
    };

    public static JobMutator Progress(string agentId, int attempt, TrainingProgress progress, DateTimeOffset now) => job =>
    {
        if (!IsCurrent(job, agentId, attempt))
        {
            return null;
        }

        job.LastProgress = progress;
        return new JobMutation(job, [new JobEvent { Time = Timestamp.FromDateTimeOffset(now), Progress = progress }]);
    };

    public static JobMutator Logs(string agentId, int attempt, IReadOnlyList<LogLine> lines, DateTimeOffset now) => job =>
    {
        if (!IsCurrent(job, agentId, attempt) || lines.Count == 0)
        {
            return null;
        }

        var time = Timestamp.FromDateTimeOffset(now);
        return new JobMutation(job, [.. lines.Select(l => new JobEvent { Time = time, Log = l.Time is null ? WithTime(l, time) : l })]);
    };

    public static JobMutator Metrics(string agentId, int attempt, MetricsReport metrics, DateTimeOffset now) => job =>
        IsCurrent(job, agentId, attempt)
            ? new JobMutation(job, [new JobEvent { Time = Timestamp.FromDateTimeOffset(now), Metrics = metrics }])
            : null;

    /// <summary>The running attempt saved a checkpoint (already in the artifact store): the next attempt resumes from it.</summary>
    public static JobMutator Checkpointed(string agentId, int attempt, CheckpointRef checkpoint, DateTimeOffset now) => job =>
    {
        if (!IsCurrent(job, agentId, attempt) || string.IsNullOrEmpty(checkpoint.ManifestDigest))
        {
            return null;
        }

        var saved = checkpoint.Clone();
        saved.Attempt = attempt;
        saved.CreatedAt ??= Timestamp.FromDateTimeOffset(now);
        job.LastCheckpoint = saved;
        return new JobMutation(job,
        [
            SystemLog(now, $"checkpoint saved at epoch {saved.Epoch}, step {saved.Step} (step {saved.GlobalStep} in all): {saved.Repository}@{saved.ManifestDigest}"),
        ]);
    };

    /// <summary>The scheduler preempts the job's running attempt on <paramref name="agentId"/>: recorded in its history;
    /// the state stays RUNNING until the agent reports the attempt PREEMPTED.</summary>
    public static JobMutator PreemptionOrdered(string agentId, string reason, DateTimeOffset now) => job =>
        job.AgentId == agentId && job.State is JobState.Assigned or JobState.Running
            ? new JobMutation(job, [SystemLog(now, $"attempt {job.Attempt}: {reason}; saving a checkpoint and stopping")])
            : null;

    /// <summary>Attempts that count against <c>max_attempts</c>: preempted ones do not.</summary>
    public static int AttemptsUsed(Job job) => Math.Max(0, job.Attempt - job.Preemptions);

    /// <summary>First wait before retrying a failed attempt; it doubles with each failed attempt, up to <see cref="MaxRetryBackoff"/>.</summary>
    public static readonly TimeSpan DefaultRetryBackoff = TimeSpan.FromSeconds(10);

    public static readonly TimeSpan MaxRetryBackoff = TimeSpan.FromMinutes(5);

    /// <summary>How long to wait before attempt <paramref name="failedAttempt"/> + 1: base × 2^(failed − 1), capped.</summary>
    public static TimeSpan RetryBackoff(int failedAttempt, TimeSpan baseBackoff)
    {
        var factor = Math.Pow(2, Math.Clamp(failedAttempt - 1, 0, 30));
        return TimeSpan.FromTicks((long)Math.Min(MaxRetryBackoff.Ticks, baseBackoff.Ticks * factor));
    }

    /// <summary>
    /// The agent's final word on an attempt: SUCCEEDED with the result, FAILED or CANCELLED. For a success with a
    /// model artifact, <paramref name="registration"/> is the version to register with the change (the store numbers
    /// it) or why it cannot be registered (the job still succeeds; an event says why). A failed attempt with attempts
    /// left goes back to QUEUED, to start again no earlier than the retry backoff (<paramref name="retryBackoff"/>,
    /// doubling per failed attempt, default <see cref="DefaultRetryBackoff"/>); the last one fails the job, its reason
    /// saying how many attempts were used.
    /// </summary>
    public static JobMutator Complete(string agentId, JobCompleted completed, DateTimeOffset now, ModelRegistrationPlan? registration = null,
        TimeSpan? retryBackoff = null) => job =>
    {
        if (!IsCurrent(job, agentId, completed.Attempt))
        {
            return null;
        }

        var from = job.State;
        var events = new List<JobEvent>();
        string reason;
        switch (completed.Outcome)
        {
            case JobOutcome.Succeeded:
                job.State = JobState.Succeeded;
                job.Result = completed.Result ?? new JobResult();
                reason = string.IsNullOrEmpty(completed.Message) ? "succeeded" : completed.Message;
                if (job.Result.Metrics.Count > 0)
                {
                    var final = new MetricsReport { Epoch = 0 };
                    final.Values.Add(job.Result.Metrics);
                    events.Add(new JobEvent { Time = Timestamp.FromDateTimeOffset(now), Metrics = final });
                }

                if (registration?.Failure is { } failure)
                {
                    events.Add(SystemLog(now, $"model registration failed: {failure}"));
                }

                break;
            case JobOutcome.Cancelled:
                job.State = JobState.Cancelled;
                reason = string.IsNullOrEmpty(completed.Message) ? "cancelled" : completed.Message;
                break;
            case JobOutcome.Preempted when from != JobState.Cancelling:
            {
                // Not the job's fault: back to the queue at once, and the attempt does not count.
                var attempt = job.Attempt;
                job.State = JobState.Queued;
                job.AgentId = "";
                job.Preemptions++;
                var resume = job.LastCheckpoint is { ManifestDigest.Length: > 0 } c ? $"; resumes from epoch {c.Epoch}, step {c.Step}" : "; no checkpoint, starts over";
                reason = (string.IsNullOrEmpty(completed.Message) ? "preempted" : completed.Message) + resume;
                return new JobMutation(job, [StateEvent(now, from, job.State, reason, attempt, agentId)]);
            }

            case JobOutcome.Preempted:
                job.State = JobState.Cancelled;
                reason = "cancelled while being preempted";
                break;
            default:
                var exit = completed.ExitCode != 0 ? $" (exit code {completed.ExitCode})" : "";
                reason = completed.Outcome == JobOutcome.Failed
                    ? (string.IsNullOrEmpty(completed.Message) ? "failed" : completed.Message) + exit
                    : $"agent {agentId} reported completion without an outcome{exit}";
                if (AttemptsUsed(job) < job.MaxAttempts)
                {
                    var wait = RetryBackoff(AttemptsUsed(job), retryBackoff ?? DefaultRetryBackoff);
                    var attempt = job.Attempt;
                    var used = AttemptsUsed(job);
                    job.State = JobState.Queued;
                    job.AgentId = "";
                    job.RetryNotBefore = Timestamp.FromDateTimeOffset(now + wait);
                    reason = $"attempt {used} of {job.MaxAttempts} failed: {reason}; retrying in {wait.TotalSeconds:0.#} s";
                    return new JobMutation(job, [StateEvent(now, from, job.State, reason, attempt, agentId)]);
                }

                job.State = JobState.Failed;
                reason = job.MaxAttempts > 1 ? $"{reason} (attempt {AttemptsUsed(job)} of {job.MaxAttempts})" : reason;
                job.FailureReason = reason;
                break;
        }

        job.FinishedAt = Timestamp.FromDateTimeOffset(now);
        events.Add(StateEvent(now, from, job.State, reason, job.Attempt, job.AgentId));
        return new JobMutation(job, events) { Registration = job.State == JobState.Succeeded ? registration?.Draft : null };
    };

    /// <summary>The event the store adds once it has numbered a job's model version.</summary>
    public static JobEvent Registered(ModelVersion registered, Timestamp time) =>
        new()
        {
            Time = time,
            Log = new LogLine
            {
                Stream = LogStream.System,
                Time = time,
                Text = $"registered model {registered.Model} version {registered.Version} ({registered.Repository}@{registered.ManifestDigest})",
            },
        };

    /// <summary>A user's cancel: QUEUED → CANCELLED at once; ASSIGNED or RUNNING → CANCELLING until the agent
    /// confirms. Null for a job that is already CANCELLING or terminal.</summary>
    public static JobMutator Cancel(string reason, DateTimeOffset now) => job =>
    {
        var from = job.State;
        switch (from)
        {
            case JobState.Queued:
                job.State = JobState.Cancelled;
                job.FinishedAt = Timestamp.FromDateTimeOffset(now);
                return Change(job, from, now, reason);
            case JobState.Assigned or JobState.Running:
                job.State = JobState.Cancelling;
                return Change(job, from, now, reason);
            default:
                return null;
        }
    };

    /// <summary>
    /// The agent holding the job is gone (<paramref name="what"/>: "lost" when its lease expired): CANCELLING
    /// becomes CANCELLED; ASSIGNED or RUNNING goes back to QUEUED, or to FAILED when its attempts are used up.
    /// </summary>
    public static JobMutator AgentGone(string agentId, string what, DateTimeOffset now) => job =>
    {
        if (job.AgentId != agentId || !JobStates.IsOnAgent(job.State))
        {
            return null;
        }

        var from = job.State;
        var attempt = job.Attempt;
        string reason;
        if (from == JobState.Cancelling)
        {
            job.State = JobState.Cancelled;
            job.FinishedAt = Timestamp.FromDateTimeOffset(now);
            reason = $"agent {agentId} {what} while the job was cancelling";
        }
        else if (AttemptsUsed(job) >= job.MaxAttempts)
        {
            job.State = JobState.Failed;
            job.FinishedAt = Timestamp.FromDateTimeOffset(now);
            reason = $"agent {agentId} {what}; {AttemptsUsed(job)} of {job.MaxAttempts} attempts used";
            job.FailureReason = reason;
        }
        else
        {
            job.State = JobState.Queued;
            job.AgentId = "";
            var resume = job.LastCheckpoint is { ManifestDigest.Length: > 0 } c ? $"; resumes from epoch {c.Epoch}, step {c.Step}" : "";
            reason = $"agent {agentId} {what}; requeued after {AttemptsUsed(job)} of {job.MaxAttempts} attempts{resume}";
        }

        return new JobMutation(job, [StateEvent(now, from, job.State, reason, attempt, agentId)]);
    };

    /// <summary>True when <paramref name="attempt"/> is the job's live attempt on <paramref name="agentId"/>.</summary>
    public static bool IsCurrent(Job job, string agentId, int attempt) =>
        job.AgentId == agentId && job.Attempt == attempt && JobStates.IsOnAgent(job.State);

    private static JobMutation Change(Job job, JobState from, DateTimeOffset now, string reason) =>
        new(job, [StateEvent(now, from, job.State, reason, job.Attempt, job.AgentId)]);

    private static JobEvent StateEvent(DateTimeOffset now, JobState from, JobState to, string reason, int attempt, string agentId) =>
        new()
        {
            Time = Timestamp.FromDateTimeOffset(now),
            StateChange = new StateChange { From = from, To = to, Reason = reason, Attempt = attempt, AgentId = agentId },
        };

    private static JobEvent SystemLog(DateTimeOffset now, string text)
    {
        var time = Timestamp.FromDateTimeOffset(now);
        return new JobEvent { Time = time, Log = new LogLine { Stream = LogStream.System, Time = time, Text = text } };
    }

    private static LogLine WithTime(LogLine line, Timestamp time)
    {
        var copy = line.Clone();
        copy.Time = time;
        return copy;
    }
}
