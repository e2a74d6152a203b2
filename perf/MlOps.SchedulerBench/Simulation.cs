using System.Diagnostics;
using System.Globalization;
using MlOps.Coordinator.Scheduling;

namespace MlOps.SchedulerBench;

/// <summary>
/// Runs one policy on a simulated cluster, the way the scheduler loop uses it: each pass plans over a snapshot
/// (every agent, the whole queue), the placements are applied, then a share of the running jobs finish and free
/// their resources, until the queue is empty. Then decision latency: with the cluster busy, single arriving jobs are
/// planned one by one (the time to decide where one new job goes). Only Plan() is timed; building the snapshot and
/// applying the plan are the simulation's own bookkeeping.
/// </summary>
internal static class Simulation
{
    /// <summary>Job shapes and their share of the queue: CPU-only, 1, 2, 4 and 8 GPUs.</summary>
    private static readonly (double Share, ResourceVector Request)[] Shapes =
    [
        (0.10, new ResourceVector(4, 16_000, 0)),
        (0.40, new ResourceVector(8, 64_000, 1)),
        (0.25, new ResourceVector(16, 128_000, 2)),
        (0.15, new ResourceVector(32, 256_000, 4)),
        (0.10, new ResourceVector(64, 512_000, 8)),
    ];

    public static void Run(IPlacementPolicy policy, BenchOptions options, bool preemption = false)
    {
        var random = new Random(options.Seed);
        var capacity = new ResourceVector(16 * options.GpusPerAgent, 128_000L * options.GpusPerAgent, options.GpusPerAgent);
        var allocated = new ResourceVector[options.Agents];
        var ids = Enumerable.Range(0, options.Agents).Select(i => $"agent-{i:D4}").ToArray();
        var index = ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
        var teams = new[] { "vision", "speech", "nlp", "recsys", "research" };
        var queue = Enumerable.Range(0, options.Jobs)
            .Select(i => new QueuedJob($"job-{i:D6}", random.Next(0, 4), i, Shape(random)) { Team = teams[random.Next(teams.Length)] })
            .ToList();
        var running = new List<(int Agent, ResourceVector Request, string Team, QueuedJob Job, int StartedPass)>();
        var epoch = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var fairShare = new FairShareSettings { Preemption = preemption, MinRunTimeBeforePreemption = TimeSpan.Zero };
        long preempted = 0;

        // Warm-up so the JIT is out of the measurement.
        policy.Plan(new SchedulingSnapshot([.. queue.Take(100)], [.. Enumerable.Range(0, 10).Select(i => new AgentSlot(ids[i], capacity, default))]));

        var passTimes = new List<double>();
        long placed = 0;
        var planning = TimeSpan.Zero;
        while (queue.Count > 0 && passTimes.Count < 10_000)
        {
            var snapshot = new SchedulingSnapshot(queue, [.. ids.Select((id, i) => new AgentSlot(id, capacity, allocated[i]))])
            {
                TeamGpusInUse = running.GroupBy(r => r.Team).ToDictionary(g => g.Key, g => g.Sum(r => r.Request.Gpus), StringComparer.Ordinal),
                FairShare = fairShare,
                Now = epoch.AddMinutes(passTimes.Count),
                // Victims stop before the next pass here, so none is ever still stopping (Preempting) in a snapshot.
                Running = preemption
                    ? [.. running.Select(r => new RunningJob(r.Job.JobId, ids[r.Agent], r.Job.Priority, r.Request) { Team = r.Team, StartedAt = epoch.AddMinutes(r.StartedPass) })]
                    : [],
            };
            var start = Stopwatch.GetTimestamp();
            var plan = policy.Plan(snapshot);
            var elapsed = Stopwatch.GetElapsedTime(start);
            planning += elapsed;
            passTimes.Add(elapsed.TotalMilliseconds);
            placed += plan.Placements.Count;

            var placedIds = new HashSet<string>(plan.Placements.Select(p => p.JobId), StringComparer.Ordinal);
            var byId = queue.ToDictionary(j => j.JobId, StringComparer.Ordinal);
            foreach (var placement in plan.Placements)
            {
                var agent = index[placement.AgentId];
                var request = byId[placement.JobId].Request;
                allocated[agent] += request;
                running.Add((agent, request, byId[placement.JobId].Team, byId[placement.JobId], passTimes.Count));
            }

            queue = [.. queue.Where(j => !placedIds.Contains(j.JobId))];

            // Preempted jobs stop (checkpoint) and go back to the queue in their old place.
            var victims = plan.Preemptions.Select(p => p.JobId).ToHashSet(StringComparer.Ordinal);
            for (var i = running.Count - 1; i >= 0 && victims.Count > 0; i--)
            {
                if (victims.Remove(running[i].Job.JobId))
                {
                    allocated[running[i].Agent] -= running[i].Request;
                    queue.Add(running[i].Job);
                    running[i] = running[^1];
                    running.RemoveAt(running.Count - 1);
                    preempted++;
                }
            }

            if (plan.Preemptions.Count > 0)
            {
                queue = [.. queue.OrderBy(j => j.SubmitOrder)];
            }

            // A fifth of the running jobs finish before the next pass.
            for (var i = running.Count - 1; i >= 0; i--)
            {
                if (random.NextDouble() < 0.2)
                {
                    allocated[running[i].Agent] -= running[i].Request;
                    running[i] = running[^1];
                    running.RemoveAt(running.Count - 1);
                }
            }
        }

        // Decision latency: the cluster as the run left it (busy), the rest of a 20k-job backlog ahead is not re-planned;
        // each arriving job is planned alone against every agent.
        // With preemption the arrivals meet the worst case instead: every GPU of every agent busy with a 1-GPU job of
        // priority 0 that may be preempted, and arrivals of priority 1-3, so each decision searches for victims.
        var now = epoch.AddMinutes(passTimes.Count);
        var oneGpu = Shapes[1].Request;
        var agentsNow = preemption
            ? ids.Select(id => new AgentSlot(id, capacity, oneGpu with { CpuCores = oneGpu.CpuCores * options.GpusPerAgent, MemoryMb = oneGpu.MemoryMb * options.GpusPerAgent, Gpus = options.GpusPerAgent })).ToList()
            : ids.Select((id, i) => new AgentSlot(id, capacity, allocated[i])).ToList();
        List<RunningJob> runningNow = preemption
            ? [.. ids.SelectMany(id => Enumerable.Range(0, options.GpusPerAgent).Select(g =>
                new RunningJob($"{id}-low-{g}", id, 0, oneGpu) { Team = teams[g % teams.Length], StartedAt = epoch }))]
            : [];
        var decisions = new List<double>(options.Arrivals);
        var arrivalsPreempting = 0;
        for (var i = 0; i < options.Arrivals; i++)
        {
            var job = new QueuedJob($"arrival-{i:D5}", preemption ? random.Next(1, 4) : random.Next(0, 4), options.Jobs + i, Shape(random)) { Team = teams[random.Next(teams.Length)] };
            var start = Stopwatch.GetTimestamp();
            var arrivalPlan = policy.Plan(new SchedulingSnapshot([job], agentsNow) { FairShare = fairShare, Now = now, Running = runningNow });
            decisions.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            arrivalsPreempting += arrivalPlan.Preemptions.Count > 0 ? 1 : 0;
        }

        var c = CultureInfo.InvariantCulture;
        Console.WriteLine();
        Console.WriteLine($"### {policy.Name}{(preemption ? " with preemption (no minimum run time)" : "")}");
        Console.WriteLine("| measure | value |");
        Console.WriteLine("|---|---|");
        Console.WriteLine(string.Create(c, $"| passes until the queue was empty | {passTimes.Count:N0} |"));
        Console.WriteLine(string.Create(c, $"| placements | {placed:N0} |"));
        if (preemption)
        {
            Console.WriteLine(string.Create(c, $"| preemptions while the queue drained (victims requeued) | {preempted:N0} |"));
            Console.WriteLine(string.Create(c, $"| arrivals whose plan preempts (of {options.Arrivals:N0}; every GPU busy with priority-0 work) | {arrivalsPreempting:N0} |"));
        }

        Console.WriteLine(string.Create(c, $"| total Plan() time | {planning.TotalMilliseconds:F1} ms |"));
        Console.WriteLine(string.Create(c, $"| **placements/s** (placements ÷ Plan() time) | **{placed / planning.TotalSeconds:N0}** |"));
        Console.WriteLine(string.Create(c, $"| pass latency (whole queue) p50 / p99 / max | {Percentile(passTimes, 0.5):F2} / {Percentile(passTimes, 0.99):F2} / {passTimes.Max():F2} ms |"));
        Console.WriteLine(string.Create(c, $"| first pass (all {options.Jobs:N0} jobs queued, empty cluster) | {passTimes[0]:F2} ms |"));
        Console.WriteLine(string.Create(c, $"| **single-job decision** p50 / **p99** / max ({options.Arrivals:N0} arrivals, busy cluster) | {Percentile(decisions, 0.5):F3} / **{Percentile(decisions, 0.99):F3}** / {decisions.Max():F3} ms |"));
    }

    private static ResourceVector Shape(Random random)
    {
        var roll = random.NextDouble();
        foreach (var (share, request) in Shapes)
        {
            if (roll < share)
            {
                return request;
            }

            roll -= share;
        }

        return Shapes[^1].Request;
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }
}
