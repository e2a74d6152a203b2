using System.Collections.Immutable;
using Google.Protobuf;
using MlOps.Contracts;

namespace MlOps.Coordinator.Deployments;

/// <summary>One agent as the deployment planner sees it: its endpoints and labels (hello) and what its model
/// repository reports, keyed by (served name, version).</summary>
internal sealed record FleetAgent(
    string AgentId,
    bool Connected,
    string GrpcAddress,
    string RestAddress,
    ImmutableDictionary<string, string> Labels,
    ImmutableDictionary<(string Name, int Version), ServedVersionStatus> Versions)
{
    public bool Serves => Connected && GrpcAddress.Length > 0;

    /// <summary>When the agent's stream ended; null while connected.</summary>
    public DateTimeOffset? DisconnectedAt { get; init; }

    /// <summary>Drained by an operator: gets no new replicas; its current ones move off (make before break).</summary>
    public bool Drained { get; init; }

    public bool IsReady(string name, int version) =>
        Versions.TryGetValue((name, version), out var status) && status.State == "READY";
}

/// <summary>
/// The coordinator's live view of the agents' serving side: endpoints and labels from each hello, the latest
/// <see cref="ServingStatus"/> each sent, and the assignment last sent to each (so only changes go out). In memory
/// only: after a coordinator restart agents say hello again and report.
/// </summary>
internal sealed class ServingFleet(DeploymentSignal signal, TimeProvider time)
{
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();
    private readonly Lock _lock = new();
    private ImmutableDictionary<string, FleetAgent> _agents = ImmutableDictionary.Create<string, FleetAgent>(StringComparer.Ordinal);
    private readonly Dictionary<string, ByteString> _sent = new(StringComparer.Ordinal);
    private long _generation;

    /// <summary>
    /// Agents whose replicas the planner keeps although they are not connected: those that left less than
    /// <paramref name="grace"/> ago, and, during the first <paramref name="grace"/> after this coordinator started,
    /// those it has not heard from yet (they reconnect after a coordinator restart and keep serving meanwhile).
    /// </summary>
    public IReadOnlySet<string> Held(IEnumerable<string> placed, TimeSpan grace)
    {
        var now = time.GetUtcNow();
        var agents = Volatile.Read(ref _agents);
        var held = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in placed)
        {
            var recent = agents.TryGetValue(id, out var agent)
                ? !agent.Connected && agent.DisconnectedAt is { } left && now - left < grace
                : now - _startedAt < grace;
            if (recent)
            {
                held.Add(id);
            }
        }

        return held;
    }

    public IReadOnlyList<FleetAgent> Snapshot() => [.. Volatile.Read(ref _agents).Values.OrderBy(a => a.AgentId, StringComparer.Ordinal)];

    public void Connected(AgentHello hello)
    {
        var labels = ImmutableDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        labels.AddRange(hello.Labels);
        labels["agent"] = hello.AgentId;
        labels["host"] = hello.Host;
        labels["gpu"] = (hello.Capacity?.Gpus.Count ?? 0) > 0 ? "true" : "false";
        lock (_lock)
        {
            var previous = _agents.GetValueOrDefault(hello.AgentId);
            _agents = _agents.SetItem(hello.AgentId, new FleetAgent(hello.AgentId, true,
                hello.Serving?.GrpcAddress ?? "", hello.Serving?.RestAddress ?? "", labels.ToImmutable(),
                previous?.Versions ?? ImmutableDictionary<(string, int), ServedVersionStatus>.Empty));
            _sent.Remove(hello.AgentId); // a new stream: send the assignment again
        }

        signal.Request();
    }

    public void Disconnected(string agentId)
    {
        lock (_lock)
        {
            if (_agents.TryGetValue(agentId, out var agent))
            {
                _agents = _agents.SetItem(agentId, agent with { Connected = false, DisconnectedAt = time.GetUtcNow() });
            }

            _sent.Remove(agentId);
        }

        signal.Request();
    }

    public void Report(string agentId, ServingStatus status)
    {
        var versions = status.Versions
            .GroupBy(v => (v.Name, v.Version))
            .ToImmutableDictionary(g => g.Key, g => g.Last());
        lock (_lock)
        {
            if (_agents.TryGetValue(agentId, out var agent))
            {
                _agents = _agents.SetItem(agentId, agent with { Versions = versions });
            }
        }

        signal.Request();
    }

    /// <summary>
    /// Numbers <paramref name="models"/> as the agent's next assignment when it differs from the last one sent (or
    /// <paramref name="force"/>); null when there is nothing new to send.
    /// </summary>
    public ServingAssignment? NextAssignment(string agentId, IReadOnlyList<ServedModel> models, bool force)
    {
        var content = new ServingAssignment();
        content.Models.AddRange(models);
        var bytes = content.ToByteString();
        lock (_lock)
        {
            if (!force && _sent.TryGetValue(agentId, out var last) && last.Equals(bytes))
            {
                return null;
            }

            _sent[agentId] = bytes;
            content.Generation = ++_generation;
            return content;
        }
    }

    /// <summary>Forgets what was sent to the agent (the send failed), so the next pass sends again.</summary>
    public void Unsent(string agentId)
    {
        lock (_lock)
        {
            _sent.Remove(agentId);
        }
    }
}
