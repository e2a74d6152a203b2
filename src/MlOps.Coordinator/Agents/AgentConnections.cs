using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Leases;
using MlOps.Coordinator.Scheduling;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Agents;

/// <summary>
/// Opens and closes agent sessions as docs/agent-protocol.md says: the hello renews the lease, is answered
/// with a welcome, and is reconciled with the jobs the store has on the agent; the newest stream wins; a
/// stream that ends leaves the agent DISCONNECTED with its jobs untouched until the lease runs out.
/// </summary>
internal sealed class AgentConnections(
    AgentSessionRegistry sessions,
    AgentLocks locks,
    AgentLeaseTable leases,
    AgentDirectory directory,
    ICoordinatorStore store,
    AgentLossHandler loss,
    SchedulerSignal scheduler,
    MlOps.Coordinator.Deployments.ServingFleet fleet,
    MlOps.Coordinator.Access.InferenceCredentialsPublisher credentials,
    IOptions<CoordinatorOptions> options,
    ILogger<AgentConnections> logger)
{
    public async Task OpenAsync(AgentSession session, AgentHello hello, CancellationToken cancellationToken)
    {
        var agentId = hello.AgentId;
        using (await locks.AcquireAsync(agentId, cancellationToken))
        {
            leases.Renew(agentId);
            session.Send(new CoordinatorMessage
            {
                Welcome = new Welcome
                {
                    AgentId = agentId,
                    HeartbeatInterval = Duration.FromTimeSpan(options.Value.HeartbeatInterval),
                    LeaseDuration = Duration.FromTimeSpan(options.Value.LeaseDuration),
                },
            });
            session.Send(await credentials.SnapshotAsync(cancellationToken));

            await ReconcileAsync(session, hello, cancellationToken);
            var replaced = sessions.Replace(session);
            replaced?.Close($"replaced by a newer connection of agent {agentId}");
            await directory.ConnectedAsync(hello, cancellationToken);
            fleet.Connected(hello);
            var capacity = hello.Capacity ?? new AgentCapacity();
            var gpus = capacity.Gpus.Count;
            AgentLog.Connected(logger, agentId, hello.Host, capacity.CpuCores, capacity.MemoryMb, gpus, hello.Running.Count, replaced is not null);
        }

        scheduler.Request();
    }

    /// <summary>The stream ended. If it was still the agent's current one, the agent is DISCONNECTED.</summary>
    public async Task ClosedAsync(AgentSession session)
    {
        using (await locks.AcquireAsync(session.AgentId, CancellationToken.None))
        {
            if (!sessions.Remove(session))
            {
                // Closed by someone else (a lost lease removes the session first): the serving fleet must still
                // hear it, unless a newer stream of the agent is already open.
                if (sessions.Get(session.AgentId) is null)
                {
                    fleet.Disconnected(session.AgentId);
                }

                return;
            }

            await directory.SetStatusAsync(session.AgentId, AgentStatus.Disconnected, CancellationToken.None);
            fleet.Disconnected(session.AgentId);
            var leaseExpires = leases.ExpiresAt(session.AgentId);
            AgentLog.Disconnected(logger, session.AgentId, leaseExpires);
        }
    }

    /// <summary>
    /// Keeps each reported attempt that is still the job's current one on this agent, cancels every other
    /// reported attempt, and releases the agent's jobs that the hello does not report (lost with the agent's
    /// previous run).
    /// </summary>
    private async Task ReconcileAsync(AgentSession session, AgentHello hello, CancellationToken cancellationToken)
    {
        var agentId = hello.AgentId;
        var held = await store.ListActiveJobsOnAgentAsync(agentId, cancellationToken);
        var kept = new HashSet<string>(StringComparer.Ordinal);
        foreach (var reported in hello.Running)
        {
            var job = held.FirstOrDefault(j => j.Id == reported.JobId && j.Attempt == reported.Attempt);
            if (job is null)
            {
                AgentLog.StaleAttemptReported(logger, agentId, reported.JobId, reported.Attempt);
                session.Send(Cancellation(reported.JobId, reported.Attempt, "not the job's current attempt on this agent"));
                continue;
            }

            kept.Add(job.Id);
            if (job.State == JobState.Cancelling)
            {
                session.Send(Cancellation(job.Id, job.Attempt, "the job was cancelled"));
            }
        }

        var lost = held.Where(j => !kept.Contains(j.Id)).ToList();
        if (lost.Count > 0)
        {
            AgentLog.JobsLostOnRestart(logger, agentId, lost.Count);
            await loss.ReleaseJobsAsync(agentId, lost, "reconnected without the job", cancellationToken);
        }
    }

    public static CoordinatorMessage Cancellation(string jobId, int attempt, string reason) =>
        new() { Cancellation = new JobCancellation { JobId = jobId, Attempt = attempt, Reason = reason } };
}
