using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using MlOps.Coordinator.Jobs;

namespace MlOps.Coordinator.Storage;

/// <summary>
/// What both stores do to a job as they write a mutation of it, inside the write's transaction: check the job it
/// returns, announce a model version registered with it, and number the events after the last one stored.
/// </summary>
internal static class JobRevisions
{
    /// <summary>
    /// Runs <paramref name="mutate"/> on a copy of <paramref name="current"/>, the stored job <paramref name="jobId"/>:
    /// null when it leaves the job as it is, else its mutation with a copy of the job to store, which must still be
    /// job <paramref name="jobId"/>.
    /// </summary>
    public static JobMutation? Mutate(string jobId, Job current, JobMutator mutate)
    {
        if (mutate(current.Clone()) is not { } mutation)
        {
            return null;
        }

        var job = mutation.Updated.Clone();
        if (job.Id != jobId)
        {
            throw new InvalidOperationException($"a mutation of job {jobId} returned job {job.Id}");
        }

        return mutation with { Updated = job };
    }

    /// <summary>
    /// Completes <paramref name="job"/> with the version <paramref name="registered"/> in the same transaction (the
    /// number exists only there) and returns <paramref name="proposed"/> with an event announcing it, timed like the
    /// last proposed event, or now when there is none.
    /// </summary>
    public static IReadOnlyList<JobEvent> Register(
        Job job, IReadOnlyList<JobEvent> proposed, ModelVersion registered, TimeProvider timeProvider)
    {
        job.Result ??= new JobResult();
        job.Result.ModelVersion = registered.Version;
        var time = (proposed.Count > 0 ? proposed[^1].Time : null) ?? Timestamp.FromDateTimeOffset(timeProvider.GetUtcNow());
        var announcement = JobTransitions.Registered(registered, time);

        // Before the final state change: watchers stop at a terminal state, and must have seen it by then.
        return proposed.Count > 0 && proposed[^1].PayloadCase == JobEvent.PayloadOneofCase.StateChange
            ? [.. proposed.Take(proposed.Count - 1), announcement, proposed[^1]]
            : [.. proposed, announcement];
    }

    /// <summary>Copies of <paramref name="events"/> for <paramref name="job"/>, numbered after
    /// <paramref name="lastSeq"/>; the job's <see cref="Job.LastEventSeq"/> becomes the last number.</summary>
    public static List<JobEvent> Number(Job job, IReadOnlyList<JobEvent> events, long lastSeq)
    {
        var numbered = new List<JobEvent>(events.Count);
        foreach (var e in events)
        {
            var copy = e.Clone();
            copy.JobId = job.Id;
            copy.Seq = ++lastSeq;
            numbered.Add(copy);
        }

        job.LastEventSeq = lastSeq;
        return numbered;
    }
}
