using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Leases;

/// <summary>
/// What happens when an agent's lease runs out (docs/agent-protocol.md, "Leases"), or when Consul reports it critical
/// and it has gone silent (docs/discovery.md, "In the cluster"): the agent is LOST, its stream is closed, and each job
/// it held is requeued, FAILED when its attempts are used up, or CANCELLED when it was cancelling. Both causes take
/// this one path, so jobs see the same transitions and reasons. Callers hold the agent's lock.
/// </summary>
internal sealed class AgentLossHandler(
    ICoordinatorStore store,
    AgentDirectory directory,
    AgentSessionRegistry sessions,
    JobUpdater jobs,
    MlOps.Coordinator.Deployments.ServingFleet fleet,
    TimeProvider timeProvider,
    ILogger<AgentLossHandler> logger)
{
    /// <summary>The agent's lease ran out.</summary>
    public Task HandleLostAsync(string agentId, CancellationToken cancellationToken) =>
        LoseAsync(agentId, $"lease of agent {agentId} expired; reconnect with a hello",
            (jobs, closed) => LeaseLog.AgentLost(logger, agentId, jobs, closed), cancellationToken);

    /// <summary>Consul reports the agent <paramref name="health"/> (critical, or deregistered) and it has been silent on
    /// its stream; the caller has removed its lease.</summary>
    public Task HandleCriticalInConsulAsync(string agentId, string health, CancellationToken cancellationToken) =>
        LoseAsync(agentId, $"agent {agentId} is {health} in Consul; reconnect with a hello",
            (jobs, closed) => LeaseLog.AgentLostInConsul(logger, agentId, health, jobs, closed), cancellationToken);

    private async Task LoseAsync(string agentId, string closeReason, Action<int, bool> log, CancellationToken cancellationToken)
    {
        var closed = sessions.Close(agentId, closeReason);
        await directory.SetStatusAsync(agentId, AgentStatus.Lost, cancellationToken);
        fleet.Disconnected(agentId); // its replicas stop counting and move elsewhere
        var held = await store.ListActiveJobsOnAgentAsync(agentId, cancellationToken);
        log(held.Count, closed);
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
