using MlOps.Discovery;
using MlOps.Discovery.Health;
using MlOps.Discovery.Services;

namespace MlOps.Coordinator.Discovery;

/// <summary>An agent's health as Consul last reported it.</summary>
/// <param name="AgentId">The agent (the <c>mlops-agent</c> instance's id).</param>
/// <param name="Down">Every instance critical or in maintenance, or the service gone from Consul.</param>
/// <param name="Health">What Consul says, for logs: <c>passing</c>, <c>critical (check: output)</c>, <c>deregistered</c>.</param>
/// <param name="Listed">Whether the last answer listed the agent at all.</param>
internal sealed record AgentHealth(string AgentId, bool Down, string Health, bool Listed);

/// <summary>
/// The coordinator's view of <c>mlops-agent</c> health in Consul, updated from each health answer (pure: no I/O). An
/// agent is down when all its instances are critical or in maintenance (the node's <c>serfHealth</c> counts), or when
/// it was listed before and is no longer (deregistered, reaped). Agents never listed are unknown, not down. A warning
/// is not down. Thread-safe.
/// </summary>
internal sealed class ConsulAgentHealth
{
    private const int MaxOutput = 200;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, AgentHealth> _agents = new(StringComparer.Ordinal);

    /// <summary>Takes in a health answer; returns the agents whose up/down state changed, for logs.</summary>
    public IReadOnlyList<AgentHealth> Observe(IReadOnlyList<ServiceHealth> instances)
    {
        var now = instances
            .Where(i => i.ServiceName == ClusterServices.Agent && i.ServiceId.Length > 0)
            .GroupBy(i => i.ServiceId, StringComparer.Ordinal)
            .Select(Summarize)
            .ToDictionary(h => h.AgentId, StringComparer.Ordinal);
        var changed = new List<AgentHealth>();
        lock (_lock)
        {
            foreach (var (id, health) in now)
            {
                if (!_agents.TryGetValue(id, out var before) || before.Down != health.Down)
                {
                    changed.Add(health);
                }

                _agents[id] = health;
            }

            foreach (var (id, before) in _agents.Where(a => a.Value.Listed && !now.ContainsKey(a.Key)).ToList())
            {
                var gone = new AgentHealth(id, true, "deregistered", false);
                if (!before.Down)
                {
                    changed.Add(gone);
                }

                _agents[id] = gone;
            }
        }

        return changed;
    }

    /// <summary>The agents Consul reports down now.</summary>
    public IReadOnlyList<AgentHealth> Down()
    {
        lock (_lock)
        {
            return [.. _agents.Values.Where(a => a.Down).OrderBy(a => a.AgentId, StringComparer.Ordinal)];
        }
    }

    /// <summary>The agent's current health; null when Consul never listed it.</summary>
    public AgentHealth? Get(string agentId)
    {
        lock (_lock)
        {
            return _agents.GetValueOrDefault(agentId);
        }
    }

    /// <summary>Drops an agent that is no longer listed, once there is nothing left to do about it.</summary>
    public void ForgetIfUnlisted(string agentId)
    {
        lock (_lock)
        {
            if (_agents.TryGetValue(agentId, out var health) && !health.Listed)
            {
                _agents.Remove(agentId);
            }
        }
    }

    private static AgentHealth Summarize(IGrouping<string, ServiceHealth> instances)
    {
        // Two instances under one id are two nodes claiming one agent id: it is up while any of them is.
        var up = instances.FirstOrDefault(i => !IsDown(i.AggregateStatus));
        if (up is not null)
        {
            return new AgentHealth(instances.Key, false, Word(up.AggregateStatus), true);
        }

        var instance = instances.First();
        var failing = instance.Checks.FirstOrDefault(c => IsDown(c.Status));
        var health = failing is null
            ? Word(instance.AggregateStatus)
            : $"{Word(failing.Status)} ({failing.Name}: {Shorten(failing.Output)})";
        return new AgentHealth(instances.Key, true, health, true);
    }

    private static bool IsDown(CheckStatus status) => status is CheckStatus.Critical or CheckStatus.Maintenance;

    private static string Word(CheckStatus status) => status.ToString().ToLowerInvariant();

    private static string Shorten(string output)
    {
        var line = output.ReplaceLineEndings(" ").Trim();
        return line.Length <= MaxOutput ? line : line[..MaxOutput] + "...";
    }
}
