using System.Collections.Immutable;
using MlOps.Contracts;

namespace MlOps.Coordinator.Scheduling;

/// <summary>
/// Why each queued job waits, as the latest scheduling pass saw it: replaced whole after every pass, read by the job
/// API (<c>waiting_reason</c>). In memory only; jobs that left the queue drop out with the next pass.
/// </summary>
public sealed class WaitingReasons
{
    private ImmutableDictionary<string, string> _reasons = ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    public void Replace(IReadOnlyDictionary<string, string> reasons) =>
        Volatile.Write(ref _reasons, reasons.ToImmutableDictionary(StringComparer.Ordinal));

    public string? For(string jobId) => Volatile.Read(ref _reasons).GetValueOrDefault(jobId);

    /// <summary>Fills <c>waiting_reason</c> of a queued job (returns the same instance).</summary>
    public Job Annotate(Job job)
    {
        if (job.State == JobState.Queued && For(job.Id) is { } reason)
        {
            job.WaitingReason = reason;
        }

        return job;
    }
}
