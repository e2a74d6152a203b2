namespace MlOps.Coordinator.Scheduling;

/// <summary>
/// Within one fair-share pass: finds the running jobs to stop so that a waiting job fits on one agent. Victims have a
/// strictly lower spec priority than the job (aging alone never preempts), are not stopping already and have run at
/// least <see cref="FairShareSettings.MinRunTimeBeforePreemption"/>. Among the agents and victim sets that make room,
/// the chosen one has, in order: the lowest highest victim priority, the fewest victims, the fewest GPUs evicted, the
/// least run time lost (the most recently started victims), then the lowest agent id; on one agent, among sets equal
/// in all of these, the first in the candidates' fixed order (priority, most recent start, job id).
/// </summary>
internal sealed class PreemptionSearch
{
    /// <summary>Searches one pass may make (a failed search costs a scan over every agent).</summary>
    internal const int MaxSearchesPerPass = 64;

    /// <summary>Up to this many candidate victims on one agent every subset is tried; beyond it a greedy choice.</summary>
    private const int ExactLimit = 16;

    private readonly IReadOnlyList<AgentSlot> _agents;
    private readonly DateTimeOffset _now;
    private readonly List<RunningJob>[] _victims;
    private readonly List<(ResourceVector Request, GpuConstraint Gpu, int Priority)> _failed = [];
    private int _preemptionsLeft;
    private int _searchesLeft = MaxSearchesPerPass;

    public PreemptionSearch(SchedulingSnapshot snapshot, IReadOnlyDictionary<string, int> agentIndex)
    {
        _agents = snapshot.Agents;
        _now = snapshot.Now;
        _preemptionsLeft = snapshot.FairShare.MaxPreemptionsPerPass;
        _victims = [.. _agents.Select(_ => new List<RunningJob>())];
        var minRun = snapshot.FairShare.MinRunTimeBeforePreemption;
        foreach (var job in snapshot.Running)
        {
            if (!job.Preempting && job.StartedAt != default && _now - job.StartedAt >= minRun &&
                agentIndex.TryGetValue(job.AgentId, out var agent))
            {
                _victims[agent].Add(job);
            }
        }

        foreach (var victims in _victims)
        {
            // Lowest priority first, then the most recently started: the order victims are worth taking in.
            victims.Sort((a, b) => a.Priority != b.Priority ? a.Priority.CompareTo(b.Priority)
                : a.StartedAt != b.StartedAt ? b.StartedAt.CompareTo(a.StartedAt)
                : string.CompareOrdinal(a.JobId, b.JobId));
        }
    }

    /// <summary>The best agent and victims for <paramref name="job"/> among the agents <paramref name="allowed"/>
    /// accepts, or null (none, or this pass's budget is spent).</summary>
    public Choice? Find(QueuedJob job, FreeIndex index, Func<int, bool> allowed)
    {
        var request = job.Request;
        if (_preemptionsLeft <= 0 || _searchesLeft <= 0 ||
            _failed.Exists(f => f.Gpu == job.Gpu && f.Priority >= job.Priority && f.Request.FitsIn(request)))
        {
            return null;
        }

        _searchesLeft--;
        Choice? best = null;
        for (var agent = 0; agent < _agents.Count; agent++)
        {
            if (_victims[agent].Count == 0 || !allowed(agent) || !request.FitsIn(_agents[agent].Capacity))
            {
                continue;
            }

            if (OnAgent(agent, job, index.Free(agent), best) is { } choice && (best is null || choice.CompareTo(best) < 0))
            {
                best = choice;
            }
        }

        if (best is null)
        {
            // Free room only shrinks and holds only grow within a pass: a larger request of no higher priority with
            // the same constraint finds nothing either.
            _failed.Add((request, job.Gpu, job.Priority));
            return null;
        }

        if (best.Victims.Count > _preemptionsLeft)
        {
            return null;
        }

        _preemptionsLeft -= best.Victims.Count;
        return best;
    }

    private Choice? OnAgent(int agent, QueuedJob job, ResourceVector free, Choice? best)
    {
        var request = job.Request;
        var victims = _victims[agent];

        // The lowest highest-priority that makes room: every victim up to it, taken together, frees enough.
        var room = free;
        var count = 0;
        var top = int.MinValue;
        while (count < victims.Count && victims[count].Priority < job.Priority)
        {
            room += victims[count].Request;
            count++;
            if (request.FitsIn(room))
            {
                top = victims[count - 1].Priority;
                while (count < victims.Count && victims[count].Priority == top)
                {
                    count++;
                }

                break;
            }
        }

        if (top == int.MinValue || (best is not null && top > best.TopPriority))
        {
            return null;
        }

        var maxVictims = best is not null && top == best.TopPriority ? best.Victims.Count : int.MaxValue;
        var candidates = victims.GetRange(0, count);
        if (best is not null && top == best.TopPriority && !CanBeat(candidates, request - free, agent, best))
        {
            return null;
        }

        var chosen = count <= ExactLimit ? Smallest(candidates, request - free, maxVictims) : Greedy(candidates, request - free);
        return chosen is null ? null : new Choice(agent, _agents[agent].AgentId, top, chosen, _now);
    }

    /// <summary>The fewest candidates that free <paramref name="needed"/>, fewest GPUs and least run time among
    /// those; null when it takes more than <paramref name="maxVictims"/>.</summary>
    private List<RunningJob>? Smallest(List<RunningJob> candidates, ResourceVector needed, int maxVictims)
    {
        List<RunningJob>? best = null;
        (int Gpus, long Lost) bestKey = (int.MaxValue, long.MaxValue);
        var picked = new int[candidates.Count];
        for (var size = MinVictims(candidates, needed); size <= Math.Min(candidates.Count, maxVictims) && best is null; size++)
        {
            Combine(0, 0, ResourceVector.Zero, 0);

            void Combine(int from, int depth, ResourceVector freed, long lost)
            {
                if (depth == size)
                {
                    // Strictly better only: among equals the first set in enumeration order wins. Candidates are in a
                    // fixed order (priority, start, id), so that is deterministic without comparing id strings, which
                    // on a crowded cluster of look-alike jobs was most of the search's time.
                    if (!needed.FitsIn(freed) || (best is not null && (freed.Gpus, lost).CompareTo(bestKey) >= 0))
                    {
                        return;
                    }

                    best = [.. picked.Take(size).Select(i => candidates[i])];
                    bestKey = (freed.Gpus, lost);
                    return;
                }

                for (var i = from; i <= candidates.Count - (size - depth); i++)
                {
                    picked[depth] = i;
                    Combine(i + 1, depth + 1, freed + candidates[i].Request, lost + (_now - candidates[i].StartedAt).Ticks);
                }
            }
        }

        return best;
    }

    /// <summary>
    /// False when no victim set on this agent can beat <paramref name="best"/> (same top priority): even the fewest
    /// victims it could take, counted with the smallest GPU and lost-time figures among its candidates, order after
    /// it. Keeps a search over many look-alike agents from enumerating victim sets on each of them.
    /// </summary>
    private bool CanBeat(List<RunningJob> candidates, ResourceVector needed, int agent, Choice best)
    {
        var fewest = MinVictims(candidates, needed);
        if (fewest != best.Victims.Count)
        {
            return fewest < best.Victims.Count;
        }

        var gpus = Math.Max(Math.Max(0, needed.Gpus), candidates.Select(v => v.Request.Gpus).Order().Take(fewest).Sum());
        var lost = candidates.Select(v => (_now - v.StartedAt).Ticks).Order().Take(fewest).Sum();
        var bound = (gpus, lost).CompareTo((best.Gpus, best.Lost));
        return bound < 0 || (bound == 0 && string.CompareOrdinal(_agents[agent].AgentId, best.AgentId) < 0);
    }

    /// <summary>A lower bound on how many candidates it takes: the largest ones first, each resource on its own.</summary>
    private static int MinVictims(List<RunningJob> candidates, ResourceVector needed)
    {
        static int Fewest(IEnumerable<long> sizes, long needed)
        {
            var count = 0;
            foreach (var size in sizes.OrderDescending())
            {
                if (needed <= 0)
                {
                    break;
                }

                needed -= size;
                count++;
            }

            return count;
        }

        var fewest = Math.Max(Fewest(candidates.Select(v => (long)v.Request.Gpus), needed.Gpus),
            Math.Max(Fewest(candidates.Select(v => (long)v.Request.CpuCores), needed.CpuCores), Fewest(candidates.Select(v => v.Request.MemoryMb), needed.MemoryMb)));
        return Math.Max(1, fewest);
    }

    /// <summary>On a crowded agent: take candidates in order until enough is freed, then drop the ones not needed.</summary>
    private static List<RunningJob> Greedy(List<RunningJob> candidates, ResourceVector needed)
    {
        var set = new List<RunningJob>();
        var freed = ResourceVector.Zero;
        foreach (var victim in candidates)
        {
            set.Add(victim);
            freed += victim.Request;
            if (needed.FitsIn(freed))
            {
                break;
            }
        }

        for (var i = set.Count - 1; i >= 0; i--)
        {
            if (needed.FitsIn(freed - set[i].Request))
            {
                freed -= set[i].Request;
                set.RemoveAt(i);
            }
        }

        return set;
    }

    /// <summary>Where to make room and whom to stop, with what the choice minimised.</summary>
    internal sealed record Choice(int Agent, string AgentId, int TopPriority, IReadOnlyList<RunningJob> Victims, DateTimeOffset Now)
        : IComparable<Choice>
    {
        public int Gpus { get; } = Victims.Sum(v => v.Request.Gpus);

        public long Lost { get; } = Victims.Sum(v => (Now - v.StartedAt).Ticks);

        public int CompareTo(Choice? other)
        {
            if (other is null)
            {
                return -1;
            }

            var order = TopPriority.CompareTo(other.TopPriority);
            order = order != 0 ? order : Victims.Count.CompareTo(other.Victims.Count);
            order = order != 0 ? order : Gpus.CompareTo(other.Gpus);
            order = order != 0 ? order : Lost.CompareTo(other.Lost);
            return order != 0 ? order : string.CompareOrdinal(AgentId, other.AgentId);
        }
    }
}
