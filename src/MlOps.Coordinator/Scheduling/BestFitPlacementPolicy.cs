namespace MlOps.Coordinator.Scheduling;

/// <summary>
/// Priority first (higher first), FIFO within a priority, best-fit bin packing: each job goes to the agent
/// it leaves the least room on, so large holes stay open for large jobs. GPUs weigh most: a job without
/// GPUs prefers an agent without free GPUs. A job that does not fit anywhere right now is passed over and
/// the jobs behind it may still be placed (backfilling); it keeps its place in the queue for the next pass.
/// </summary>
public sealed class BestFitPlacementPolicy : IPlacementPolicy
{
    public string Name => "best-fit/v1";

    public SchedulingPlan Plan(SchedulingSnapshot snapshot)
    {
        var free = snapshot.Agents.ToDictionary(a => a.AgentId, a => a.Free, StringComparer.Ordinal);
        var placements = new List<Placement>();
        var unplaceable = new List<string>();
        var ordered = snapshot.Queue
            .OrderByDescending(j => j.Priority)
            .ThenBy(j => j.SubmitOrder)
            .ThenBy(j => j.JobId, StringComparer.Ordinal);

        foreach (var job in ordered)
        {
            if (snapshot.Agents.Count > 0 && !snapshot.Agents.Any(a => job.Request.FitsIn(a.Capacity)))
            {
                unplaceable.Add(job.JobId);
                continue;
            }

            AgentSlot? best = null;
            (int Gpus, double Others) bestScore = default;
            foreach (var agent in snapshot.Agents)
            {
                var available = free[agent.AgentId];
                if (!job.Request.FitsIn(available))
                {
                    continue;
                }

                var score = Leftover(agent.Capacity, available - job.Request);
                if (best is null || Better(score, bestScore, agent, best))
                {
                    best = agent;
                    bestScore = score;
                }
            }

            if (best is not null)
            {
                free[best.AgentId] -= job.Request;
                placements.Add(new Placement(job.JobId, best.AgentId));
            }
        }

        return new SchedulingPlan(Name, placements, unplaceable);
    }

    /// <summary>What would be left on an agent: free GPUs, then CPU and memory as fractions of its capacity.</summary>
    private static (int Gpus, double Others) Leftover(ResourceVector capacity, ResourceVector left)
    {
        var cpu = capacity.CpuCores > 0 ? (double)left.CpuCores / capacity.CpuCores : 0;
        var memory = capacity.MemoryMb > 0 ? (double)left.MemoryMb / capacity.MemoryMb : 0;
        return (left.Gpus, cpu + memory);
    }

    private static bool Better((int Gpus, double Others) score, (int Gpus, double Others) best, AgentSlot agent, AgentSlot bestAgent)
    {
        if (score.Gpus != best.Gpus)
        {
            return score.Gpus < best.Gpus;
        }

        if (Math.Abs(score.Others - best.Others) > 1e-9)
        {
            return score.Others < best.Others;
        }

        return string.CompareOrdinal(agent.AgentId, bestAgent.AgentId) < 0;
    }
}
