using MlOps.Artifacts;
using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Artifacts;
using MlOps.Coordinator.Datasets;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Leases;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Hosting;

/// <summary>
/// Runs before the scheduler and the lease monitor start (it is registered ahead of them): migrates the
/// database; then, when this coordinator leads (at once for a single coordinator, after winning the election with
/// high availability: <see cref="RecoverAsync"/>), marks every known agent DISCONNECTED and grants it a fresh lease,
/// so agents get one lease duration to reconnect before their jobs are requeued, and removes half-cached dataset
/// directories a crash left behind. On stop it closes every agent stream.
/// </summary>
internal sealed class CoordinatorStartup(
    Microsoft.Extensions.Options.IOptions<MlOps.Coordinator.Configuration.CoordinatorOptions> options,
    MlOps.Coordinator.HighAvailability.Leadership leadership,
    ICoordinatorStore store,
    AgentDirectory directory,
    AgentLeaseTable leases,
    AgentSessionRegistry sessions,
    IArtifactStore artifacts,
    DatasetCache datasets,
    ILogger<CoordinatorStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        if (!options.Value.HighAvailability.Enabled)
        {
            await RecoverAsync(cancellationToken);
            leadership.BecomeLeader();
        }
    }

    /// <summary>Takes over the shared state as its leader: every agent must reconnect within one lease.</summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var agents = new List<AgentRecord>();
        foreach (var agent in await store.ListAgentsAsync(cancellationToken))
        {
            var disconnected = agent with { Status = AgentStatus.Disconnected };
            await store.SaveAgentAsync(disconnected, cancellationToken);
            agents.Add(disconnected);
        }

        directory.Load(agents);

        // Jobs may name an agent the store has no record of (written by an older version); they get a lease too,
        // so the monitor releases them if no such agent shows up.
        var holders = (await store.ListJobsByStateAsync([.. JobStates.OnAgent], cancellationToken)).Select(j => j.AgentId);
        var leased = agents.Select(a => a.AgentId).Concat(holders).Where(id => !string.IsNullOrEmpty(id)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var agentId in leased)
        {
            leases.Renew(agentId);
        }

        HostingLog.Recovered(logger, agents.Count, leased.Count, leases.Duration);
        datasets.RemoveLeftovers();
        ArtifactsLog.StoreOpened(logger, artifacts.Location);
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        sessions.CloseAll("the coordinator is shutting down; reconnect with a hello");
        return Task.CompletedTask;
    }
}
