using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Leases;

/// <summary>
/// What happens when an agent's lease runs out (docs/agent-protocol.md, "Leases"): the agent is LOST, its
/// stream is closed, and each job it held is requeued, FAILED when its attempts are used up, or CANCELLED
/// when it was cancelling. Callers hold the agent's lock.
/// </summary>
internal sealed class AgentLossHandler(
    ICoordinatorStore store,
    AgentDirectory directory,
    AgentSessionRegistry sessions,
    JobUpdater jobs,
    TimeProvider timeProvider,
    ILogger<AgentLossHandler> logger)
{
    public async Task HandleLostAsync(string agentId, CancellationToken cancellationToken)
    {
        var closed = sessions.Close(agentId, $"lease of agent {agentId} expired; reconnect with a hello");
        await directory.SetStatusAsync(agentId, AgentStatus.Lost, cancellationToken);
        var held = await store.ListActiveJobsOnAgentAsync(agentId, cancellationToken);
        LeaseLog.AgentLost(logger, agentId, held.Count, closed);
        await ReleaseJobsAsync(agentId, held, "lost", cancellationToken);
    }

    /// <summary>Releases <paramref name="held"/> jobs of an agent that no longer runs them (<paramref name="what"/> says why).</summary>
    public async Task ReleaseJobsAsync(string agentId, IEnumerable<Job> held, string what, CancellationToken cancellationToken)
    {
        foreach (var job in held)
        {
            await jobs.UpdateAsync(job.Id, JobTransitions.AgentGone(agentId, what, timeProvider.GetUtcNow()), cancellationToken);
        }
    }
}
