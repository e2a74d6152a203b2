using System.Globalization;

namespace MlOps.Coordinator.Scheduling;

/// <summary>
/// The placements of <see cref="BestFitPlacementPolicy"/> (priority, FIFO, best fit with GPUs weighing most,
/// backfilling), computed faster for large clusters and long queues, and with the reason each unplaced job waits:
/// <list type="bullet">
/// <item>Agents are indexed by free GPU count. Best fit leaves the fewest GPUs free, so the first bucket at or above
/// the request that holds a fitting agent decides; only that bucket is searched for the tightest CPU and memory.</item>
/// <item>Free resources only shrink during a pass, so a request that found no agent stays unplaceable for the rest
/// of the pass, and so does any request at least as large in every resource: later jobs of such a shape are passed
/// over without a search. With a full cluster and a long queue of a few shapes, a pass costs little per job.</item>
/// </list>
/// Same snapshot, same plan, and the same plan as v1 (a property test checks that on random snapshots).
/// </summary>
public sealed class IndexedBestFitPlacementPolicy : IPlacementPolicy
{
    public string Name => "best-fit/v2";

    public SchedulingPlan Plan(SchedulingSnapshot snapshot)
    {
        var agents = snapshot.Agents;
        var placements = new List<Placement>();
        var unplaceable = new List<string>();
        var waiting = new Dictionary<string, string>(StringComparer.Ordinal);
        if (agents.Count == 0)
        {
            foreach (var job in snapshot.Queue)
            {
                waiting[job.JobId] = "no agent is connected";
            }

            return new SchedulingPlan(Name, placements, unplaceable) { Waiting = waiting };
        }

        var index = new FreeIndex(agents);
        var largest = agents.MaxBy(a => (a.Capacity.Gpus, a.Capacity.CpuCores, a.Capacity.MemoryMb))!.Capacity;
        var fitsSomewhere = new Dictionary<ResourceVector, bool>();
        var blocked = new List<(ResourceVector Request, string Reason)>();

        foreach (var job in snapshot.Queue.OrderByDescending(j => j.Priority).ThenBy(j => j.SubmitOrder).ThenBy(j => j.JobId, StringComparer.Ordinal))
        {
            var request = job.Request;
            if (!fitsSomewhere.TryGetValue(request, out var fits))
            {
                fits = agents.Any(a => request.FitsIn(a.Capacity));
                fitsSomewhere[request] = fits;
            }

            if (!fits)
            {
                unplaceable.Add(job.JobId);
                waiting[job.JobId] = $"needs {request}: more than any connected agent has in all (largest: {largest})";
                continue;
            }

            var reason = BlockedReason(blocked, request);
            if (reason is null)
            {
                var best = index.BestFit(request);
                if (best >= 0)
                {
                    index.Take(best, request);
                    placements.Add(new Placement(job.JobId, agents[best].AgentId));
                    continue;
                }

                reason = index.WhyNot(request);
                blocked.Add((request, reason));
            }

            waiting[job.JobId] = reason;
        }

        return new SchedulingPlan(Name, placements, unplaceable) { Waiting = waiting };
    }

    /// <summary>The reason recorded for a request no larger than this one that already found no agent this pass.</summary>
    private static string? BlockedReason(List<(ResourceVector Request, string Reason)> blocked, ResourceVector request)
    {
        foreach (var (smaller, reason) in blocked)
        {
            if (smaller.FitsIn(request))
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>Free resources of every agent, with the agents grouped by how many GPUs they have free.</summary>
    private sealed class FreeIndex
    {
        private readonly IReadOnlyList<AgentSlot> _agents;
        private readonly ResourceVector[] _free;
        private readonly List<int>[] _byFreeGpus;
        private readonly int[] _slot;

        public FreeIndex(IReadOnlyList<AgentSlot> agents)
        {
            _agents = agents;
            _free = [.. agents.Select(a => a.Free)];
            var maxGpus = Math.Max(0, _free.Max(f => f.Gpus));
            _byFreeGpus = [.. Enumerable.Range(0, maxGpus + 1).Select(_ => new List<int>())];
            _slot = new int[agents.Count];
            for (var i = 0; i < agents.Count; i++)
            {
                Add(i);
            }
        }

        /// <summary>The agent v1 would pick, or -1: the lowest bucket with a fit, tightest CPU+memory in it, then id.</summary>
        public int BestFit(ResourceVector request)
        {
            for (var gpus = Math.Max(0, request.Gpus); gpus < _byFreeGpus.Length; gpus++)
            {
                var best = -1;
                var bestOthers = 0.0;
                foreach (var i in _byFreeGpus[gpus])
                {
                    if (!request.FitsIn(_free[i]))
                    {
                        continue;
                    }

                    var others = Others(_agents[i].Capacity, _free[i] - request);
                    if (best < 0 || others < bestOthers - 1e-9 ||
                        (Math.Abs(others - bestOthers) <= 1e-9 && string.CompareOrdinal(_agents[i].AgentId, _agents[best].AgentId) < 0))
                    {
                        best = i;
                        bestOthers = others;
                    }
                }

                if (best >= 0)
                {
                    return best;
                }
            }

            return -1;
        }

        public void Take(int agent, ResourceVector request)
        {
            Remove(agent);
            _free[agent] -= request;
            Add(agent);
        }

        /// <summary>Why nothing fits now, naming the agent that comes closest on the scarcest resource.</summary>
        public string WhyNot(ResourceVector request)
        {
            var mostGpus = Enumerable.Range(0, _free.Length).MaxBy(i => (_free[i].Gpus, _free[i].CpuCores, _free[i].MemoryMb));
            var free = _free[mostGpus];
            var short_ = request.Gpus > free.Gpus ? $"at most {free.Gpus.ToString(CultureInfo.InvariantCulture)} GPU(s) are free on one agent ({_agents[mostGpus].AgentId})"
                : "no agent has that much CPU and memory free alongside the GPUs";
            return $"waiting for {request} free on one agent: {short_}";
        }

        private static double Others(ResourceVector capacity, ResourceVector left)
        {
            var cpu = capacity.CpuCores > 0 ? (double)left.CpuCores / capacity.CpuCores : 0;
            var memory = capacity.MemoryMb > 0 ? (double)left.MemoryMb / capacity.MemoryMb : 0;
            return cpu + memory;
        }

        private void Add(int agent)
        {
            var bucket = _byFreeGpus[Math.Clamp(_free[agent].Gpus, 0, _byFreeGpus.Length - 1)];
            _slot[agent] = bucket.Count;
            bucket.Add(agent);
        }

        private void Remove(int agent)
        {
            var bucket = _byFreeGpus[Math.Clamp(_free[agent].Gpus, 0, _byFreeGpus.Length - 1)];
            var slot = _slot[agent];
            var last = bucket[^1];
            bucket[slot] = last;
            _slot[last] = slot;
            bucket.RemoveAt(bucket.Count - 1);
        }
    }
}
