using Microsoft.Extensions.Options;
using MlOps.Coordinator.Configuration;

namespace MlOps.Coordinator.Leases;

/// <summary>
/// One lease per agent (not per job): any message from the agent renews it to now + LeaseDuration. The
/// table only keeps time; <see cref="LeaseMonitor"/> acts on expired leases.
/// </summary>
public sealed class AgentLeaseTable(TimeProvider timeProvider, IOptions<CoordinatorOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DateTimeOffset> _expires = new(StringComparer.Ordinal);

    public TimeSpan Duration => options.Value.LeaseDuration;

    /// <summary>Renews (or grants) the agent's lease and returns its new expiry.</summary>
    public DateTimeOffset Renew(string agentId)
    {
        var expires = timeProvider.GetUtcNow() + Duration;
        lock (_lock)
        {
            _expires[agentId] = expires;
        }

        return expires;
    }

    /// <summary>When the agent's lease runs out; null when it holds none.</summary>
    public DateTimeOffset? ExpiresAt(string agentId)
    {
        lock (_lock)
        {
            return _expires.TryGetValue(agentId, out var expires) ? expires : null;
        }
    }

    /// <summary>Agents whose lease has run out by now (expiry at or before the current time).</summary>
    public IReadOnlyList<string> Expired()
    {
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            return [.. _expires.Where(e => e.Value <= now).Select(e => e.Key).Order(StringComparer.Ordinal)];
        }
    }

    /// <summary>
    /// Removes the agent's lease if it was last renewed at least <paramref name="silence"/> ago, for an agent declared
    /// lost by other means than its lease (Consul), so the monitor does not declare it lost again; false when it was
    /// renewed more recently or holds none. Checked and removed under the table's lock, so a renewal is never lost.
    /// </summary>
    public bool TryExpireSilent(string agentId, TimeSpan silence)
    {
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            return _expires.TryGetValue(agentId, out var expires) && expires - Duration <= now - silence && _expires.Remove(agentId);
        }
    }

    /// <summary>Removes the agent's lease if it has run out by now; false when it was renewed meanwhile or is gone.</summary>
    public bool TryExpire(string agentId)
    {
        var now = timeProvider.GetUtcNow();
        lock (_lock)
        {
            return _expires.TryGetValue(agentId, out var expires) && expires <= now && _expires.Remove(agentId);
        }
    }
}
