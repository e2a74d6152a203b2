using System.Collections.Concurrent;
using MlOps.Contracts;

namespace MlOps.Coordinator.Agents;

/// <summary>The open stream of each connected agent; at most one per agent id (the newest wins).</summary>
internal sealed class AgentSessionRegistry
{
    private readonly ConcurrentDictionary<string, AgentSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    /// <summary>Makes <paramref name="session"/> the agent's stream and returns the one it replaced, if any.</summary>
    public AgentSession? Replace(AgentSession session)
    {
        AgentSession? previous = null;
        _sessions.AddOrUpdate(session.AgentId, session, (_, old) =>
        {
            previous = old;
            return session;
        });
        return ReferenceEquals(previous, session) ? null : previous;
    }

    /// <summary>Every open session at this moment.</summary>
    public IReadOnlyCollection<AgentSession> All => [.. _sessions.Values];

    public AgentSession? Get(string agentId) => _sessions.TryGetValue(agentId, out var session) ? session : null;

    public bool IsCurrent(AgentSession session) => _sessions.TryGetValue(session.AgentId, out var current) && ReferenceEquals(current, session);

    /// <summary>Removes the session only if it is still the agent's current one.</summary>
    public bool Remove(AgentSession session) =>
        ((ICollection<KeyValuePair<string, AgentSession>>)_sessions).Remove(new(session.AgentId, session));

    /// <summary>Removes and closes whatever stream the agent has; false when it had none.</summary>
    public bool Close(string agentId, string reason)
    {
        if (!_sessions.TryRemove(agentId, out var session))
        {
            return false;
        }

        session.Close(reason);
        return true;
    }

    /// <summary>Queues a message on the agent's stream; false when it has none open.</summary>
    public bool Send(string agentId, CoordinatorMessage message) => Get(agentId)?.Send(message) ?? false;

    public void CloseAll(string reason)
    {
        foreach (var agentId in _sessions.Keys)
        {
            Close(agentId, reason);
        }
    }
}
