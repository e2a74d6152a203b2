using System.Globalization;

namespace MlOps.Coordinator.Scheduling;

/// <summary>Free resources of every agent, with the agents grouped by how many GPUs they have free.</summary>
internal sealed class FreeIndex
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

    /// <summary>
    /// The agent best-fit/v1 would pick, or -1: the lowest free-GPU bucket with a fit, the tightest CPU+memory in it,
    /// then the lowest id. With <paramref name="spread"/> the opposite: the highest bucket, the loosest fit. Agents
    /// <paramref name="allowed"/> refuses are skipped.
    /// </summary>
    public int BestFit(ResourceVector request, Func<int, bool>? allowed = null, bool spread = false)
    {
        var low = Math.Max(0, request.Gpus);
        for (var step = 0; step < _byFreeGpus.Length - low; step++)
        {
            var gpus = spread ? _byFreeGpus.Length - 1 - step : low + step;
            var best = -1;
            var bestOthers = 0.0;
            foreach (var i in _byFreeGpus[gpus])
            {
                if (!request.FitsIn(_free[i]) || (allowed is not null && !allowed(i)))
                {
                    continue;
                }

                var others = Others(_agents[i].Capacity, _free[i] - request) * (spread ? -1 : 1);
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

    public ResourceVector Free(int agent) => _free[agent];

    public int Count => _free.Length;

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
