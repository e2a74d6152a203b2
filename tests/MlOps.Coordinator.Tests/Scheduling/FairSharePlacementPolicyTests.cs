using Microsoft.Extensions.Time.Testing;
using MlOps.Coordinator.Scheduling;

namespace MlOps.Coordinator.Tests.Scheduling;

/// <summary>fair-share/v2: the best-fit rules (shared contract) plus teams, quotas, GPU constraints, aging and holds.</summary>
public sealed class FairSharePlacementPolicyContractTests() : BestFitPolicyContract(new FairSharePlacementPolicy());

public sealed class FairSharePlacementPolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
    private readonly FairSharePlacementPolicy _policy = new();

    [Fact]
    public void Plan_TwoTeamsSamePriority_TeamHoldingFewerGpusGoesFirst()
    {
        var snapshot = Snapshot(
            [Job("a1", "team-a", order: 1, gpus: 1), Job("b1", "team-b", order: 2, gpus: 1)],
            [GpuAgent("g", gpus: 8, allocatedGpus: 7)]) with
        {
            TeamGpusInUse = new Dictionary<string, int> { ["team-a"] = 7 },
        };

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Placement("b1", "g")], plan.Placements);
        Assert.Contains("waiting for", plan.Waiting["a1"]);
    }

    [Fact]
    public void Plan_InterleavesTeamsByGpusHeld()
    {
        var snapshot = Snapshot(
            [Job("a1", "team-a", 1, gpus: 1), Job("a2", "team-a", 2, gpus: 1), Job("a3", "team-a", 3, gpus: 1), Job("b1", "team-b", 4, gpus: 1)],
            [GpuAgent("g", gpus: 2)]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal(["a1", "b1"], plan.Placements.Select(p => p.JobId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Plan_TeamAtQuota_GpuJobWaitsSayingSoAndCpuJobStillRuns()
    {
        var snapshot = Snapshot(
            [Job("gpu-job", "team-a", 1, gpus: 1), Job("cpu-job", "team-a", 2)],
            [GpuAgent("g", gpus: 8, allocatedGpus: 2)]) with
        {
            TeamGpusInUse = new Dictionary<string, int> { ["team-a"] = 2 },
            FairShare = new FairShareSettings { TeamGpuQuotas = new Dictionary<string, int> { ["team-a"] = 2 } },
        };

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Placement("cpu-job", "g")], plan.Placements);
        Assert.Equal("team 'team-a' is at its GPU quota: 2 of 2 in use, the job needs 1", plan.Waiting["gpu-job"]);
    }

    [Fact]
    public void Plan_QuotaCountsGpusGrantedInThisPass()
    {
        var snapshot = Snapshot(
            [Job("a1", "team-a", 1, gpus: 2), Job("a2", "team-a", 2, gpus: 2)],
            [GpuAgent("g", gpus: 8)]) with
        {
            FairShare = new FairShareSettings { TeamGpuQuotas = new Dictionary<string, int> { ["team-a"] = 3 } },
        };

        var plan = _policy.Plan(snapshot);

        Assert.Equal(["a1"], plan.Placements.Select(p => p.JobId));
        Assert.StartsWith("team 'team-a' is at its GPU quota: 2 of 3", plan.Waiting["a2"]);
    }

    [Fact]
    public void Plan_GpuModelAndMemoryConstraints_OnlyMatchingAgents()
    {
        var snapshot = Snapshot(
            [
                Job("h100", "t", 1, gpus: 1) with { Gpu = new GpuConstraint(0, "h100") },
                Job("big-memory", "t", 2, gpus: 1) with { Gpu = new GpuConstraint(80_000, "") },
                Job("impossible", "t", 3, gpus: 1) with { Gpu = new GpuConstraint(0, "B200") },
            ],
            [
                GpuAgent("a100-40", gpus: 8) with { GpuModel = "NVIDIA A100-SXM4-40GB", GpuMemoryMb = 40_960 },
                GpuAgent("h100-80", gpus: 8) with { GpuModel = "NVIDIA H100 80GB HBM3", GpuMemoryMb = 81_559 },
            ]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Placement("h100", "h100-80"), new Placement("big-memory", "h100-80")], plan.Placements);
        Assert.Equal(["impossible"], plan.Unplaceable);
        Assert.Contains("model ~ 'B200'", plan.Waiting["impossible"]);
    }

    [Fact]
    public void Plan_LongWaitingLowPriorityJob_AgesPastANewHighPriorityOne()
    {
        var settings = new FairShareSettings { AgingInterval = TimeSpan.FromMinutes(10), MaxAgingBoost = 100 };
        var old = Job("old", "t", 1, gpus: 1, priority: 0) with { QueuedAt = Now.AddHours(-2) };   // +12
        var fresh = Job("fresh", "t", 2, gpus: 1, priority: 10) with { QueuedAt = Now };
        var snapshot = Snapshot([fresh, old], [GpuAgent("g", gpus: 1)]) with { FairShare = settings };

        Assert.Equal(12, FairSharePlacementPolicy.EffectivePriority(old, Now, settings));
        Assert.Equal([new Placement("old", "g")], _policy.Plan(snapshot).Placements);
        Assert.Equal([new Placement("fresh", "g")], _policy.Plan(snapshot with { Now = Now.AddHours(-2) }).Placements);
    }

    [Fact]
    public void Plan_Spread_PicksTheEmptierAgent()
    {
        var snapshot = Snapshot([Job("j", "t", 1, gpus: 1)], [GpuAgent("busy", gpus: 8, allocatedGpus: 6), GpuAgent("idle", gpus: 8)]);

        Assert.Equal("busy", Assert.Single(_policy.Plan(snapshot).Placements).AgentId);
        Assert.Equal("idle", Assert.Single(_policy.Plan(snapshot with { FairShare = new FairShareSettings { Spread = true } }).Placements).AgentId);
    }

    [Fact]
    public void Plan_EightGpuJobBehindAStreamOfSmallJobs_StartsOnceItsHeldAgentDrains()
    {
        // One 8-GPU agent, 6 GPUs busy; every pass one running job finishes and a new 1-GPU job arrives behind the
        // 8-GPU job. Best-fit backfills the freed GPU with the new small job forever; fair-share holds the agent.
        Assert.Null(PassesUntilPlaced(new IndexedBestFitPlacementPolicy(), "big", passes: 30));
        Assert.InRange(PassesUntilPlaced(_policy, "big", passes: 30) ?? int.MaxValue, 1, 8);
    }

    [Fact]
    public void Plan_BlockedJobHoldsOneAgent_OtherAgentsStillBackfill()
    {
        var snapshot = Snapshot(
            [Job("big", "t", 1, gpus: 8), Job("small", "t", 2, gpus: 1)],
            [GpuAgent("a", gpus: 8, allocatedGpus: 4), GpuAgent("b", gpus: 8, allocatedGpus: 6)]);

        var plan = _policy.Plan(snapshot);

        Assert.EndsWith("agent a is held for it", plan.Waiting["big"]);
        Assert.Equal([new Placement("small", "b")], plan.Placements);
    }

    [Fact]
    public void Plan_LowPriorityJobUnderAStreamOfHigherOnes_AgingLetsItThroughWithinBoundedPasses()
    {
        // One GPU; every minute a priority-5 job arrives and the job placed a minute ago finishes. Best-fit has no aging
        // and always runs the newcomer; fair-share ages the priority-0 job one level per 10 min, so at minute 50 it
        // ties with the newcomers and, submitted first, goes first.
        Assert.Null(PassesUntilLowPriorityPlaced(new IndexedBestFitPlacementPolicy(), passes: 100));
        Assert.Equal(51, PassesUntilLowPriorityPlaced(_policy, passes: 100));
    }

    [Fact]
    public void Plan_FourGpuJobAndFourGpusFreeOnlyAcrossAgents_WaitsInsteadOfStartingOnFewer()
    {
        var snapshot = Snapshot(
            [Job("gang", "t", 1, gpus: 4), Job("one", "t", 2, gpus: 1)],
            [GpuAgent("a", gpus: 8, allocatedGpus: 5), GpuAgent("b", gpus: 4, allocatedGpus: 3)]);

        var plan = _policy.Plan(snapshot);

        Assert.DoesNotContain(plan.Placements, p => p.JobId == "gang");
        Assert.Equal("waiting for 1 cores, 1000 MB, 4 GPUs free on one agent: at most 3 GPU(s) are free on one agent (a); agent a is held for it",
            plan.Waiting["gang"]);
        Assert.Equal([new Placement("one", "b")], plan.Placements);
    }

    private static int? PassesUntilLowPriorityPlaced(IPlacementPolicy policy, int passes)
    {
        var clock = new FakeTimeProvider(Now);
        var queue = new List<QueuedJob> { Job("low", "t", 0, gpus: 1, priority: 0) };
        for (var pass = 1; pass <= passes; pass++)
        {
            queue.Add(Job($"high-{pass}", "t", pass, gpus: 1, priority: 5) with { QueuedAt = clock.GetUtcNow() });
            var plan = policy.Plan(new SchedulingSnapshot(queue, [GpuAgent("g", gpus: 1)]) { Now = clock.GetUtcNow() });
            if (plan.Placements.Any(p => p.JobId == "low"))
            {
                return pass;
            }

            queue.RemoveAll(j => plan.Placements.Any(p => p.JobId == j.JobId));
            clock.Advance(TimeSpan.FromMinutes(1));
        }

        return null;
    }

    private static int? PassesUntilPlaced(IPlacementPolicy policy, string jobId, int passes)
    {
        var running = new List<(string Id, int Gpus)> { ("r1", 2), ("r2", 2), ("r3", 2) };
        var queue = new List<QueuedJob> { Job("big", "t", 0, gpus: 8) };
        for (var pass = 1; pass <= passes; pass++)
        {
            queue.Add(Job($"small-{pass}", "t", pass, gpus: 1));
            var allocated = running.Sum(r => r.Gpus);
            var plan = policy.Plan(Snapshot(queue, [GpuAgent("g", gpus: 8, allocatedGpus: allocated)]));
            if (plan.Placements.Any(p => p.JobId == jobId))
            {
                return pass;
            }

            foreach (var placement in plan.Placements)
            {
                running.Add((placement.JobId, queue.Single(j => j.JobId == placement.JobId).Request.Gpus));
                queue.RemoveAll(j => j.JobId == placement.JobId);
            }

            if (running.Count > 0)
            {
                running.RemoveAt(0); // the oldest running job finishes
            }
        }

        return null;
    }

    private static SchedulingSnapshot Snapshot(IReadOnlyList<QueuedJob> queue, IReadOnlyList<AgentSlot> agents) =>
        new(queue, agents) { Now = Now };

    private static QueuedJob Job(string id, string team, long order, int gpus = 0, int priority = 0) =>
        new(id, priority, order, new ResourceVector(1, 1000, gpus)) { Team = team, QueuedAt = Now };

    private static AgentSlot GpuAgent(string id, int gpus, int allocatedGpus = 0) =>
        new(id, new ResourceVector(64, 512_000, gpus), new ResourceVector(0, 0, allocatedGpus));
}
