using System.Globalization;
using MlOps.Contracts;

namespace MlOps.Coordinator.Deployments;

/// <summary>A stored deployment with the registry records of every version its current and previous split name.</summary>
internal sealed record DeploymentInput(Deployment Stored, IReadOnlyDictionary<int, ModelVersion> Versions);

/// <summary>What one reconciler pass decided: each deployment's new state (placement, live split, phase, replica
/// view) and the full serving assignment of every connected serving agent.</summary>
internal sealed record DeploymentPlan(IReadOnlyList<Deployment> Deployments, IReadOnlyDictionary<string, IReadOnlyList<ServedModel>> Assignments);

/// <summary>
/// The deployment reconciler's decision, a pure function over the stored deployments and a fleet snapshot (no
/// I/O). For each deployment: keep the replicas whose agents still qualify, fill up to the replica count with the
/// least-loaded qualifying agents, and ask each replica to hold both the live split's versions and the newest
/// revision's. The live split (what agents route with) moves to the newest revision's only once every replica
/// reports all of that revision's versions READY; versions that then leave the split are dropped from the
/// assignment and the agents drain and unload them. A version that failed to load keeps the old split in place
/// and marks the deployment FAILED.
/// </summary>
internal static class DeploymentPlanner
{
    /// <param name="deployments">Every stored deployment with its versions' registry records.</param>
    /// <param name="fleet">The agents as last seen.</param>
    /// <param name="held">Agents whose replicas are kept although they are not connected now (back soon: a
    /// coordinator restart, or a stream that dropped less than a lease ago); they count towards the replica count but
    /// get no assignment until they return.</param>
    public static DeploymentPlan Plan(IReadOnlyList<DeploymentInput> deployments, IReadOnlyList<FleetAgent> fleet, IReadOnlySet<string>? held = null)
    {
        held ??= new HashSet<string>(StringComparer.Ordinal);
        var load = fleet.ToDictionary(a => a.AgentId, _ => 0, StringComparer.Ordinal);
        var assignments = fleet.Where(a => a.Serves).ToDictionary(a => a.AgentId, _ => new List<ServedModel>(), StringComparer.Ordinal);
        var planned = new List<Deployment>(deployments.Count);
        foreach (var input in deployments.OrderBy(d => d.Stored.Spec.Name, StringComparer.Ordinal))
        {
            var deployment = PlanOne(input, fleet, held, load, assignments);
            planned.Add(deployment);
        }

        return new DeploymentPlan(planned, assignments.ToDictionary(a => a.Key, a => (IReadOnlyList<ServedModel>)a.Value, StringComparer.Ordinal));
    }

    private static Deployment PlanOne(DeploymentInput input, IReadOnlyList<FleetAgent> fleet, IReadOnlySet<string> held,
        Dictionary<string, int> load, Dictionary<string, List<ServedModel>> assignments)
    {
        var deployment = input.Stored.Clone();
        var name = deployment.Spec.Name;
        var desired = deployment.History.Count > 0 ? deployment.History[^1].Traffic.ToList() : [];
        var live = deployment.Traffic.ToList();
        var byId = fleet.ToDictionary(a => a.AgentId, StringComparer.Ordinal);

        var eligible = fleet.Where(a => a.Serves && !a.Drained && Matches(a, deployment.Spec)).ToList();
        var replicas = Math.Max(1, deployment.Spec.Replicas);
        var placed = deployment.Replicas.Select(r => r.AgentId)
            .Where(id => eligible.Any(a => a.AgentId == id) || held.Contains(id))
            .Distinct(StringComparer.Ordinal)
            .Take(replicas)
            .ToList();
        foreach (var agent in eligible.Where(a => !placed.Contains(a.AgentId)).OrderBy(a => load[a.AgentId]).ThenBy(a => a.AgentId, StringComparer.Ordinal))
        {
            if (placed.Count >= replicas)
            {
                break;
            }

            placed.Add(agent.AgentId);
        }

        foreach (var id in placed.Where(load.ContainsKey))
        {
            load[id]++;
        }

        var agents = placed.Where(id => eligible.Any(a => a.AgentId == id)).Select(id => byId[id]).ToList();
        var absent = placed.Where(id => !eligible.Any(a => a.AgentId == id)).ToList();

        // Make before break: a drained agent keeps serving its replica until as many replicas as asked for are ready
        // elsewhere; only then does it leave the assignment (and drain and unload).
        var readyElsewhere = agents.Count(a => live.Count > 0 && AllReady(a, name, live));
        var leaving = deployment.Replicas.Select(r => r.AgentId)
            .Where(id => byId.TryGetValue(id, out var a) && a.Serves && a.Drained && !placed.Contains(id))
            .Select(id => byId[id])
            .Where(_ => readyElsewhere < replicas)
            .ToList();
        string? failure = null;
        if (!SameSplit(desired, live) && desired.Count > 0)
        {
            failure = Failure(name, desired, live, agents);
            if (failure is null && agents.Count > 0 && agents.All(a => AllReady(a, name, desired)))
            {
                live = desired;
            }
        }

        foreach (var agent in agents.Concat(leaving))
        {
            assignments[agent.AgentId].Add(Served(name, live, desired, input.Versions));
        }

        deployment.Traffic.Clear();
        deployment.Traffic.AddRange(live);
        deployment.Replicas.Clear();
        deployment.Replicas.AddRange(agents.Select(a => Replica(a, name, live)));
        deployment.Replicas.AddRange(absent.Select(id => new Replica { AgentId = id }));
        deployment.Replicas.AddRange(leaving.Select(a => Replica(a, name, live)));
        (deployment.Phase, deployment.Message) = Phase(deployment, desired, live, agents, absent, leaving, failure, fleet.Count(a => a.Serves), replicas);
        return deployment;
    }

    private static bool Matches(FleetAgent agent, DeploymentSpec spec) =>
        spec.AgentSelector.All(s => agent.Labels.TryGetValue(s.Key, out var value) && value == s.Value);

    public static bool SameSplit(IReadOnlyList<TrafficRoute> a, IReadOnlyList<TrafficRoute> b) =>
        a.Count == b.Count && a.OrderBy(r => r.Version).Zip(b.OrderBy(r => r.Version)).All(p => p.First.Version == p.Second.Version && p.First.Percent == p.Second.Percent);

    private static bool AllReady(FleetAgent agent, string name, IReadOnlyList<TrafficRoute> split) =>
        split.Where(r => r.Percent > 0).All(r => agent.IsReady(name, r.Version));

    /// <summary>A version of the newest revision that a replica could not load (the live split stays).</summary>
    private static string? Failure(string name, List<TrafficRoute> desired, List<TrafficRoute> live, List<FleetAgent> agents)
    {
        foreach (var agent in agents)
        {
            foreach (var route in desired.Where(d => live.All(l => l.Version != d.Version)))
            {
                if (agent.Versions.TryGetValue((name, route.Version), out var status) && status.State == "UNAVAILABLE" &&
                    status.Reason is not ("unloading" or "unloaded"))
                {
                    return $"version {Number(route.Version)} failed to load on agent {agent.AgentId}: {status.Reason}";
                }
            }
        }

        return null;
    }

    private static ServedModel Served(string name, List<TrafficRoute> live, List<TrafficRoute> desired, IReadOnlyDictionary<int, ModelVersion> versions)
    {
        var served = new ServedModel { Name = name };
        var wanted = live.Select(r => r.Version).Concat(desired.Select(r => r.Version)).Distinct().Order();
        foreach (var number in wanted)
        {
            if (!versions.TryGetValue(number, out var record))
            {
                continue; // not resolvable this pass (registry unreachable); the agent keeps what it has routed
            }

            served.Versions.Add(new ServedVersion
            {
                Version = number,
                Repository = record.Repository,
                ManifestDigest = record.ManifestDigest,
                OnnxDigest = record.OnnxDigest,
                Percent = live.FirstOrDefault(r => r.Version == number)?.Percent ?? 0,
            });
        }

        return served;
    }

    private static Replica Replica(FleetAgent agent, string name, List<TrafficRoute> live)
    {
        var replica = new Replica
        {
            AgentId = agent.AgentId,
            GrpcAddress = agent.GrpcAddress,
            RestAddress = agent.RestAddress,
            Ready = agent.Connected && live.Count > 0 && AllReady(agent, name, live),
        };
        replica.Versions.AddRange(agent.Versions.Where(v => v.Key.Name == name).OrderBy(v => v.Key.Version)
            .Select(v => new ReplicaVersion { Version = v.Key.Version, State = v.Value.State, Reason = v.Value.Reason }));
        return replica;
    }

    private static (DeploymentPhase, string) Phase(Deployment deployment, List<TrafficRoute> desired, List<TrafficRoute> live,
        List<FleetAgent> agents, List<string> absent, List<FleetAgent> leaving, string? failure, int servingAgents, int replicas)
    {
        var name = deployment.Spec.Name;
        if (desired.Count == 0)
        {
            return (DeploymentPhase.Failed, "the deployment has no revision");
        }

        if (failure is not null)
        {
            return (DeploymentPhase.Failed, $"revision {Number(deployment.Revision)}: {failure}; traffic stays on {Describe(live)}");
        }

        if (agents.Count == 0)
        {
            if (absent.Count > 0)
            {
                return (DeploymentPhase.Progressing, $"waiting for agent(s) {string.Join(", ", absent)} to reconnect");
            }

            if (leaving.Count > 0)
            {
                return (DeploymentPhase.Degraded,
                    $"agent(s) {string.Join(", ", leaving.Select(a => a.AgentId))} drained and no other agent can take the replica; it keeps serving there meanwhile");
            }

            if (servingAgents == 0)
            {
                return (DeploymentPhase.Degraded, "no connected agent serves models (agents need Agent:Serving:GrpcListen)");
            }

            var selector = string.Join(",", deployment.Spec.AgentSelector.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));
            return (DeploymentPhase.Degraded, $"none of the {Number(servingAgents)} serving agent(s) matches the selector {selector}");
        }

        var ready = deployment.Replicas.Count(r => r.Ready);
        if (!SameSplit(desired, live))
        {
            var waiting = agents.SelectMany(a => desired.Where(d => d.Percent > 0 && !a.IsReady(name, d.Version))
                .Select(d => $"version {Number(d.Version)} on {a.AgentId}")).ToList();
            return (DeploymentPhase.Progressing, $"rolling out revision {Number(deployment.Revision)} ({Describe(desired)}): waiting for {string.Join(", ", waiting)}");
        }

        if (ready >= replicas)
        {
            return (DeploymentPhase.Available, $"{Number(ready)} of {Number(replicas)} replicas ready, serving {Describe(live)}");
        }

        // Say per replica why it is not ready: a failed load names its reason instead of "loading" forever.
        var notes = new List<string>();
        foreach (var agent in agents.Where(a => !AllReady(a, name, live)))
        {
            var failed = live.Select(r => agent.Versions.GetValueOrDefault((name, r.Version)))
                .FirstOrDefault(v => v is { State: "UNAVAILABLE" } && v.Reason is not ("unloading" or "unloaded"));
            notes.Add(failed is null
                ? $"{agent.AgentId} loading"
                : $"{agent.AgentId}: version {Number(failed.Version)} failed to load: {failed.Reason}");
        }

        notes.AddRange(absent.Select(id => $"{id} disconnected"));
        if (agents.Count + absent.Count < replicas)
        {
            notes.Add($"only {Number(agents.Count + absent.Count)} agent(s) qualify");
        }

        var phase = ready == 0 && notes.All(n => n.EndsWith(" loading", StringComparison.Ordinal)) ? DeploymentPhase.Progressing : DeploymentPhase.Degraded;
        return (phase, $"{Number(ready)} of {Number(replicas)} replicas ready, serving {Describe(live)} ({string.Join("; ", notes)})");
    }

    public static string Describe(IEnumerable<TrafficRoute> split)
    {
        var parts = split.Where(r => r.Percent > 0).OrderByDescending(r => r.Percent).Select(r => $"v{Number(r.Version)} {Number(r.Percent)}%").ToList();
        return parts.Count == 0 ? "nothing" : string.Join(" + ", parts);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
