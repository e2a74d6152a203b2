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
/// <item><b>Preemption</b> (opt-in, <see cref="FairShareSettings.Preemption"/>): a job left waiting although it fits an
/// allowed agent's capacity and its team's quota may have running jobs of strictly lower spec priority stopped for it
/// (<see cref="SchedulingPlan.Preemptions"/>; see <see cref="PreemptionSearch"/> for which). Their agent is then held for
/// it, in this pass and in later ones while they stop (<see cref="RunningJob.ForJobId"/>), and no further jobs are
/// preempted for it meanwhile. Jobs that ran less than <see cref="FairShareSettings.MinRunTimeBeforePreemption"/> are
/// spared, and a pass orders at most <see cref="FairShareSettings.MaxPreemptionsPerPass"/>.</item>
/// </list>
/// v2 adds preemption; with it off, plans are those of v1.
/// </summary>
public sealed class FairSharePlacementPolicy : IPlacementPolicy
{
    public string Name => "fair-share/v2";

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
        var heldFor = new string?[agents.Count];
        string? reservationFor = null;
        var preemptions = new List<Preemption>();
        var agentIndex = snapshot.Running.Count == 0 ? null
            : agents.Select((a, i) => (a.AgentId, i)).ToDictionary(p => p.AgentId, p => p.i, StringComparer.Ordinal);
        var waitingOn = agentIndex is null ? null : HoldForPreemptors(snapshot, agentIndex, heldFor);
        var search = settings.Preemption && agentIndex is not null ? new PreemptionSearch(snapshot, agentIndex) : null;

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

        return new SchedulingPlan(Name, placements, unplaceable) { Waiting = waiting, Preemptions = preemptions };

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

            // A job that running jobs are stopping for may use the agent held for it, and must not skip the search
            // because another job of its shape found no room (that job could not use the held agent).
            (int Agent, int Count) waitFor = default;
            var preempted = waitingOn is not null && waitingOn.TryGetValue(job.JobId, out waitFor);
            string? known = null;
            if (!preempted)
            {
                foreach (var (smaller, constraint, reason) in blocked)
                {
                    if (constraint == gpu && smaller.FitsIn(request))
                    {
                        known = reason;
                        break;
                    }
                }
            }

            var wasBlocked = known is not null;
            string why;
            if (known is not null)
            {
                why = known;
            }
            else
            {
                var best = index.BestFit(request, i => Allowed(i) && (heldFor[i] is null || (preempted && heldFor[i] == job.JobId)), settings.Spread);
                if (best >= 0)
                {
                    index.Take(best, request);
                    usage[job.Team] = usage.GetValueOrDefault(job.Team) + request.Gpus;
                    placements.Add(new Placement(job.JobId, agents[best].AgentId));
                    return null;
                }

                if (preempted)
                {
                    return WaitingForPreempted(waitFor.Count, agents[waitFor.Agent].AgentId);
                }

                why = index.WhyNot(request);
            }

            if (search?.Find(job, index, i => heldFor[i] is null && Allowed(i)) is { } choice)
            {
                foreach (var victim in choice.Victims.OrderBy(v => v.Priority).ThenBy(v => v.JobId, StringComparer.Ordinal))
                {
                    preemptions.Add(new Preemption(victim.JobId, choice.AgentId, job.JobId,
                        $"preempted for job {job.JobId} (priority {Number(job.Priority)} > {Number(victim.Priority)})"));
                }

                heldFor[choice.Agent] = job.JobId;
                usage[job.Team] = usage.GetValueOrDefault(job.Team) + request.Gpus;
                return WaitingForPreempted(choice.Victims.Count, choice.AgentId);
            }

            if (wasBlocked)
            {
                return why;
            }

            if (reservationFor is null)
            {
                // Hold the allowed agent that can fit it in all and has the most free now: it fills up no further.
                var hold = Enumerable.Range(0, agents.Count)
                    .Where(i => heldFor[i] is null && Allowed(i) && request.FitsIn(agents[i].Capacity))
                    .OrderByDescending(i => index.Free(i).Gpus).ThenByDescending(i => index.Free(i).CpuCores)
                    .ThenBy(i => agents[i].AgentId, StringComparer.Ordinal)
                    .DefaultIfEmpty(-1)
                    .First();
                if (hold >= 0)
                {
                    heldFor[hold] = job.JobId;
                    reservationFor = job.JobId;
                    return $"{why}; agent {agents[hold].AgentId} is held for it";
                }
            }

            blocked.Add((request, gpu, why));
            return why;
        }
    }

    /// <summary>
    /// Holds each agent where running jobs are stopping for a queued job for that job, and returns, per such job,
    /// the agent and how many jobs it waits for there.
    /// </summary>
    private static Dictionary<string, (int Agent, int Count)>? HoldForPreemptors(
        SchedulingSnapshot snapshot, Dictionary<string, int> agentIndex, string?[] heldFor)
    {
        Dictionary<string, (int Agent, int Count)>? waitingOn = null;
        HashSet<string>? queued = null;
        foreach (var job in snapshot.Running.Where(r => r.Preempting && r.ForJobId is not null)
                     .OrderBy(r => r.ForJobId, StringComparer.Ordinal).ThenBy(r => r.JobId, StringComparer.Ordinal))
        {
            queued ??= new HashSet<string>(snapshot.Queue.Select(j => j.JobId), StringComparer.Ordinal);
            if (!queued.Contains(job.ForJobId!) || !agentIndex.TryGetValue(job.AgentId, out var agent))
            {
                continue;
            }

            waitingOn ??= new Dictionary<string, (int, int)>(StringComparer.Ordinal);
            if (waitingOn.TryGetValue(job.ForJobId!, out var known))
            {
                // One agent per waiting job; victims elsewhere (not ordered by this policy) still keep it from
                // preempting again.
                waitingOn[job.ForJobId!] = known.Agent == agent ? (agent, known.Count + 1) : known;
                continue;
            }

            heldFor[agent] ??= job.ForJobId;
            waitingOn[job.ForJobId!] = (agent, 1);
        }

        return waitingOn;
    }

    private static string WaitingForPreempted(int count, string agentId) =>
        $"waiting for {Number(count)} preempted job(s) on agent {agentId} to checkpoint and stop";

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
