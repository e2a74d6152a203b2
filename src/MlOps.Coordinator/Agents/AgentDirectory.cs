using System.Collections.Concurrent;
using MlOps.Contracts;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Agents;

/// <summary>
/// What the coordinator knows about every agent it has seen: capacity, status and last contact. Kept in
/// memory for the scheduler and <c>ListAgents</c>, written through to the store on every status change and
/// on heartbeats, so a restarted coordinator knows its agents.
/// </summary>
internal sealed class AgentDirectory(ICoordinatorStore store, TimeProvider timeProvider)
{
    private readonly ConcurrentDictionary<string, AgentRecord> _agents = new(StringComparer.Ordinal);

    // In memory only: a heartbeat brings it again within seconds, and a stale reading is worse than none.
    private readonly ConcurrentDictionary<string, IReadOnlyList<GpuHealth>> _gpuHealth = new(StringComparer.Ordinal);

    public IReadOnlyList<AgentRecord> All => [.. _agents.Values.OrderBy(a => a.AgentId, StringComparer.Ordinal)];

    public AgentRecord? Get(string agentId) => _agents.TryGetValue(agentId, out var agent) ? agent : null;

    /// <summary>Replaces the directory with stored records (at start-up).</summary>
    public void Load(IEnumerable<AgentRecord> agents)
    {
        _agents.Clear();
        foreach (var agent in agents)
        {
            _agents[agent.AgentId] = agent;
        }
    }

    /// <summary>Each GPU's health at the agent's last heartbeat; empty when it reported none (no GPUs, or an agent that
    /// does not report health: then all its GPUs count as healthy).</summary>
    public IReadOnlyList<GpuHealth> GpuHealth(string agentId) => _gpuHealth.GetValueOrDefault(agentId) ?? [];

    /// <summary>Replaces an agent's GPU health with what its heartbeat reported.</summary>
    public void ReportGpuHealth(string agentId, IReadOnlyList<GpuHealth> gpus) => _gpuHealth[agentId] = [.. gpus];

    /// <summary>How many of the agent's GPUs are out of service: those its last heartbeat reported unhealthy.</summary>
    public int UnhealthyGpus(AgentRecord agent)
    {
        var unhealthy = GpuHealth(agent.AgentId).Where(g => !g.Healthy).ToList();
        return unhealthy.Count == 0 || agent.Capacity is null
            ? 0
            : agent.Capacity.Gpus.Count(g => unhealthy.Any(h => h.Uuid.Length > 0 ? h.Uuid == g.Uuid : h.Index == g.Index));
    }

    /// <summary>Records an agent's hello: its identity, capacity and CONNECTED status. GPU health waits for its first
    /// heartbeat.</summary>
    public Task ConnectedAsync(AgentHello hello, CancellationToken cancellationToken)
    {
        _gpuHealth.TryRemove(hello.AgentId, out _);
        return SaveAsync(new AgentRecord(hello.AgentId, hello.Host, hello.Version, hello.Capacity ?? new AgentCapacity(),
            AgentStatus.Connected, timeProvider.GetUtcNow()) { Drained = Get(hello.AgentId)?.Drained ?? false }, cancellationToken);
    }

    /// <summary>Drains or undrains a known agent; null when the coordinator has never seen it.</summary>
    public async Task<AgentRecord?> SetDrainedAsync(string agentId, bool drained, CancellationToken cancellationToken)
    {
        if (Get(agentId) is not { } agent)
        {
            return null;
        }

        var updated = agent with { Drained = drained };
        await SaveAsync(updated, cancellationToken);
        return updated;
    }

    /// <summary>Sets an agent's status; unknown agents are ignored.</summary>
    public Task SetStatusAsync(string agentId, AgentStatus status, CancellationToken cancellationToken) =>
        _agents.TryGetValue(agentId, out var agent) && agent.Status != status
            ? SaveAsync(agent with { Status = status }, cancellationToken)
            : Task.CompletedTask;

    /// <summary>Notes contact with an agent; <paramref name="persist"/> also writes it to the store.</summary>
    public Task SeenAsync(string agentId, bool persist, CancellationToken cancellationToken)
    {
        if (!_agents.TryGetValue(agentId, out var agent))
        {
            return Task.CompletedTask;
        }

        var seen = agent with { LastSeen = timeProvider.GetUtcNow() };
        _agents[agentId] = seen;
        return persist ? store.SaveAgentAsync(seen, cancellationToken) : Task.CompletedTask;
    }

    private async Task SaveAsync(AgentRecord agent, CancellationToken cancellationToken)
    {
        _agents[agent.AgentId] = agent;
        await store.SaveAgentAsync(agent, cancellationToken);
    }
}
