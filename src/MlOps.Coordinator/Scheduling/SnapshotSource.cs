using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Scheduling;

/// <summary>Reads the queue, the connected agents and their allocations into an immutable snapshot.</summary>
internal sealed class SnapshotSource(ICoordinatorStore store, AgentDirectory directory, AgentSessionRegistry sessions)
{
    private static readonly JobState[] Queued = [JobState.Queued];

    public async Task<SchedulingSnapshot> CaptureAsync(CancellationToken cancellationToken)
    {
        var queued = await store.ListJobsByStateAsync(Queued, cancellationToken);
        var allocated = Allocations(await store.ListJobsByStateAsync([.. JobStates.OnAgent], cancellationToken));
        var agents = directory.All
            .Where(a => a.Status == AgentStatus.Connected && sessions.Get(a.AgentId) is not null)
            .Select(a => new AgentSlot(a.AgentId, ResourceVector.Of(a.Capacity), allocated.GetValueOrDefault(a.AgentId)))
            .ToList();
        var queue = queued
            .Select((job, order) => new QueuedJob(job.Id, job.Spec?.Priority ?? 0, order, ResourceVector.Of(job.Spec?.Resources)))
            .ToList();
        return new SchedulingSnapshot(queue, agents);
    }

    /// <summary>What the jobs on each agent hold: the sum of their requests (ASSIGNED, RUNNING, CANCELLING).</summary>
    public static Dictionary<string, ResourceVector> Allocations(IEnumerable<Job> jobsOnAgents)
    {
        var allocated = new Dictionary<string, ResourceVector>(StringComparer.Ordinal);
        foreach (var job in jobsOnAgents.Where(j => JobStates.IsOnAgent(j.State) && !string.IsNullOrEmpty(j.AgentId)))
        {
            allocated[job.AgentId] = allocated.GetValueOrDefault(job.AgentId) + ResourceVector.Of(job.Spec?.Resources);
        }

        return allocated;
    }
}
