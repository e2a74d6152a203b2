using System.Globalization;

namespace MlOps.Coordinator.Scheduling;

/// <summary>
/// Teams share the GPUs: best-fit (or spread) placement like <see cref="IndexedBestFitPlacementPolicy"/>, with
/// <list type="bullet">
/// <item><b>GPU constraints</b>: a job that asks for a GPU model or a minimum of GPU memory only goes to agents whose
/// GPUs match.</item>
/// <item><b>Quotas</b>: a team never holds more GPUs than its quota; its jobs wait (saying so) until its own jobs
/// finish.</item>
/// <item><b>Fair share</b>: within one priority the next job comes from the team holding the fewest GPUs (counting
/// the ones this pass grants), FIFO within a team; priorities still come first.</item>
/// <item><b>Aging</b>: a job gains one priority level per <see cref="FairShareSettings.AgingInterval"/> waited (up to
/// <see cref="FairShareSettings.MaxAgingBoost"/>), so low priorities do not starve.</item>
/// <item><b>Reservation</b>: the first job that fits an agent's capacity but finds no room now gets that agent (the one
/// with the most free GPUs among those its constraints allow) held for it: later jobs of the pass are not placed there,
/// so small jobs cannot keep backfilling the GPUs a large job is waiting for (gang placement: a multi-GPU job starts
/// only when all its GPUs are free on one agent, and the hold makes sure that happens).</item>
/// </list>
/// Preemption is not part of this policy (it needs checkpoint and resume).
/// </summary>
public sealed class FairSharePlacementPolicy : IPlacementPolicy
{
    public string Name => "fair-share/v1";

    public SchedulingPlan Plan(SchedulingSnapshot snapshot)
    {
        var agents = snapshot.Agents;
        var settings = snapshot.FairShare;
        if (agents.Count == 0)
        {
            return SchedulingPlan.NoAgents(Name, snapshot.Queue);
        }

        var placements = new List<Placement>();
        var unplaceable = new List<string>();
        var waiting = new Dictionary<string, string>(StringComparer.Ordinal);

        var index = new FreeIndex(agents);
        var usage = new Dictionary<string, int>(snapshot.TeamGpusInUse, StringComparer.Ordinal);
        var capacityFits = new Dictionary<(ResourceVector, GpuConstraint), bool>();
        var blocked = new List<(ResourceVector Request, GpuConstraint Gpu, string Reason)>();
        var reserved = new HashSet<int>();
        string? reservationFor = null;

        foreach (var level in snapshot.Queue.GroupBy(j => EffectivePriority(j, snapshot.Now, settings)).OrderByDescending(g => g.Key))
        {
            var teams = level.GroupBy(j => j.Team, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => new Queue<QueuedJob>(g.OrderBy(j => j.SubmitOrder).ThenBy(j => j.JobId, StringComparer.Ordinal)), StringComparer.Ordinal);
            while (teams.Count > 0)
            {
                var team = teams.Keys.MinBy(t => (usage.GetValueOrDefault(t), t), Comparer<(int, string)>.Create((a, b) =>
                    a.Item1 != b.Item1 ? a.Item1.CompareTo(b.Item1) : string.CompareOrdinal(a.Item2, b.Item2)))!;
                var job = teams[team].Dequeue();
                if (teams[team].Count == 0)
                {
                    teams.Remove(team);
                }

                var reason = Place(job);
                if (reason is not null)
                {
                    waiting[job.JobId] = reason;
                }
            }
        }

        return new SchedulingPlan(Name, placements, unplaceable) { Waiting = waiting };

        string? Place(QueuedJob job)
        {
            var request = job.Request;
            var gpu = job.Gpu;
            bool Allowed(int agent) => request.Gpus == 0 || gpu.IsNone || gpu.AllowedOn(agents[agent]);

            if (!capacityFits.TryGetValue((request, gpu), out var fits))
            {
                fits = Enumerable.Range(0, agents.Count).Any(i => Allowed(i) && request.FitsIn(agents[i].Capacity));
                capacityFits[(request, gpu)] = fits;
            }

            if (!fits)
            {
                unplaceable.Add(job.JobId);
                return gpu.IsNone || request.Gpus == 0
                    ? $"needs {request}: more than any connected agent has in all"
                    : $"needs {request} with {gpu}: no connected agent has that";
            }

            if (settings.TeamGpuQuotas.TryGetValue(job.Team, out var quota) && request.Gpus > 0 &&
                usage.GetValueOrDefault(job.Team) + request.Gpus > quota)
            {
                return $"team '{job.Team}' is at its GPU quota: {Number(usage.GetValueOrDefault(job.Team))} of {Number(quota)} in use, the job needs {Number(request.Gpus)}";
            }

            foreach (var (smaller, constraint, known) in blocked)
            {
                if (constraint == gpu && smaller.FitsIn(request))
                {
                    return known;
                }
            }

            var best = index.BestFit(request, i => Allowed(i) && !reserved.Contains(i), settings.Spread);
            if (best >= 0)
            {
                index.Take(best, request);
                usage[job.Team] = usage.GetValueOrDefault(job.Team) + request.Gpus;
                placements.Add(new Placement(job.JobId, agents[best].AgentId));
                return null;
            }

            var why = index.WhyNot(request);
            if (reservationFor is null)
            {
                // Hold the allowed agent that can fit it in all and has the most free now: it fills up no further.
                var hold = Enumerable.Range(0, agents.Count)
                    .Where(i => Allowed(i) && request.FitsIn(agents[i].Capacity))
                    .OrderByDescending(i => index.Free(i).Gpus).ThenByDescending(i => index.Free(i).CpuCores)
                    .ThenBy(i => agents[i].AgentId, StringComparer.Ordinal)
                    .First();
                reserved.Add(hold);
                reservationFor = job.JobId;
                return $"{why}; agent {agents[hold].AgentId} is held for it";
            }

            blocked.Add((request, gpu, why));
            return why;
        }
    }

    /// <summary>Priority plus one level per aging interval waited, capped.</summary>
    public static int EffectivePriority(QueuedJob job, DateTimeOffset now, FairShareSettings settings)
    {
        if (settings.AgingInterval <= TimeSpan.Zero || job.QueuedAt == default || now <= job.QueuedAt)
        {
            return job.Priority;
        }

        var boost = (long)((now - job.QueuedAt).Ticks / settings.AgingInterval.Ticks);
        return job.Priority + (int)Math.Min(boost, settings.MaxAgingBoost);
    }

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
