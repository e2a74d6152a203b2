using System.Collections.Concurrent;

namespace MlOps.Coordinator.Scheduling;

/// <summary>
/// The preemptions the leader has ordered and whose jobs have not left their agent yet: the scheduler counts their
/// resources as freeing up for the job they were preempted for, and never preempts them twice. In memory only: after
/// a failover the hold lapses, which costs at most one more preemption.
/// </summary>
internal sealed class PreemptionTracker
{
    private readonly ConcurrentDictionary<string, Ordered> _ordered = new(StringComparer.Ordinal);

    /// <summary>One ordered preemption of <paramref name="Attempt"/> of a job.</summary>
    public sealed record Ordered(string AgentId, int Attempt, string ForJobId, string Reason);

    public void Order(string jobId, Ordered preemption) => _ordered[jobId] = preemption;

    /// <summary>The preemption ordered for this attempt of the job, if any.</summary>
    public Ordered? Find(string jobId, int attempt) =>
        _ordered.TryGetValue(jobId, out var ordered) && ordered.Attempt == attempt ? ordered : null;

    /// <summary>Forgets every preemption whose job attempt is no longer on its agent.</summary>
    public void Retain(IReadOnlyDictionary<string, (string AgentId, int Attempt)> onAgents)
    {
        foreach (var (jobId, ordered) in _ordered)
        {
            if (!onAgents.TryGetValue(jobId, out var now) || now.AgentId != ordered.AgentId || now.Attempt != ordered.Attempt)
            {
                _ordered.TryRemove(new KeyValuePair<string, Ordered>(jobId, ordered));
            }
        }
    }
}
