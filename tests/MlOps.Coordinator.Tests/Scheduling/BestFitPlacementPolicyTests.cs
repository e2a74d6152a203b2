using MlOps.Contracts;
using MlOps.Coordinator.Scheduling;

namespace MlOps.Coordinator.Tests.Scheduling;

/// <summary>The best-fit rules, checked against every policy that implements them (v1 and the indexed v2).</summary>
public abstract class BestFitPolicyContract
{
    private readonly IPlacementPolicy _policy;

    protected BestFitPolicyContract(IPlacementPolicy policy) => _policy = policy;

    [Fact]
    public void Plan_HigherPriorityJobSubmittedLater_PlacedFirst()
    {
        var snapshot = new SchedulingSnapshot(
            [Job("low", priority: 0, order: 0, cpu: 4), Job("high", priority: 5, order: 1, cpu: 4)],
            [Agent("a", cpu: 4)]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Placement("high", "a")], plan.Placements);
        Assert.Empty(plan.Unplaceable);
    }

    [Fact]
    public void Plan_SamePriority_FirstSubmittedPlacedFirst()
    {
        var snapshot = new SchedulingSnapshot(
            [Job("second", order: 2, cpu: 3), Job("first", order: 1, cpu: 3)],
            [Agent("a", cpu: 4)]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Placement("first", "a")], plan.Placements);
    }

    [Fact]
    public void Plan_TwoAgentsFit_PicksTheOneLeftTightest()
    {
        var snapshot = new SchedulingSnapshot(
            [Job("j", cpu: 2, memory: 2000)],
            [Agent("big", cpu: 32, memory: 64_000), Agent("snug", cpu: 4, memory: 4000, allocatedCpu: 1, allocatedMemory: 1000)]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Placement("j", "snug")], plan.Placements);
    }

    [Fact]
    public void Plan_SeveralJobs_PacksUntilAgentsAreFull()
    {
        var snapshot = new SchedulingSnapshot(
            [Job("j1", order: 1, cpu: 2), Job("j2", order: 2, cpu: 2), Job("j3", order: 3, cpu: 2), Job("j4", order: 4, cpu: 2)],
            [Agent("a", cpu: 4), Agent("b", cpu: 2)]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal(3, plan.Placements.Count);
        Assert.Equal(["j1", "j2", "j3"], plan.Placements.Select(p => p.JobId));
        Assert.Equal(2, plan.Placements.Count(p => p.AgentId == "a"));
        Assert.Equal(1, plan.Placements.Count(p => p.AgentId == "b"));
    }

    [Fact]
    public void Plan_JobLargerThanEveryAgent_UnplaceableAndOthersStillPlaced()
    {
        var snapshot = new SchedulingSnapshot(
            [Job("huge", priority: 9, order: 0, cpu: 64), Job("small", order: 1, cpu: 1)],
            [Agent("a", cpu: 8), Agent("b", cpu: 16)]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal(["huge"], plan.Unplaceable);
        Assert.Equal([new Placement("small", "a")], plan.Placements);
    }

    [Fact]
    public void Plan_JobFitsCapacityButNotFreeResources_WaitsWithoutBeingUnplaceable()
    {
        var snapshot = new SchedulingSnapshot([Job("j", cpu: 4)], [Agent("a", cpu: 4, allocatedCpu: 2)]);

        var plan = _policy.Plan(snapshot);

        Assert.Empty(plan.Placements);
        Assert.Empty(plan.Unplaceable);
    }

    [Fact]
    public void Plan_NoAgents_NothingPlacedAndNothingUnplaceable()
    {
        var plan = _policy.Plan(new SchedulingSnapshot([Job("j")], []));

        Assert.Empty(plan.Placements);
        Assert.Empty(plan.Unplaceable);
    }

    [Fact]
    public void Plan_GpuJob_GoesToAgentWithGpus()
    {
        var snapshot = new SchedulingSnapshot([Job("train", gpus: 1)], [Agent("cpu-only", cpu: 64), Agent("gpu", cpu: 8, gpus: 2)]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Placement("train", "gpu")], plan.Placements);
    }

    [Fact]
    public void Plan_CpuJob_AvoidsAgentWithFreeGpus()
    {
        var snapshot = new SchedulingSnapshot([Job("cpu")], [Agent("gpu", cpu: 8, gpus: 4), Agent("cpu-only", cpu: 64)]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Placement("cpu", "cpu-only")], plan.Placements);
    }

    [Fact]
    public void Plan_MoreGpuJobsThanGpus_NeverDoubleAllocates()
    {
        var snapshot = new SchedulingSnapshot(
            [Job("g1", order: 1, gpus: 1), Job("g2", order: 2, gpus: 1), Job("g3", order: 3, gpus: 1)],
            [Agent("gpu", cpu: 16, gpus: 2, allocatedGpus: 1)]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Placement("g1", "gpu")], plan.Placements);
    }

    [Fact]
    public void Plan_ZeroCpuRequest_CountsAsOneCore()
    {
        var snapshot = new SchedulingSnapshot(
            [new QueuedJob("a", 0, 1, ResourceVector.Of(new Resources())), new QueuedJob("b", 0, 2, ResourceVector.Of(new Resources()))],
            [Agent("one-core", cpu: 1)]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Placement("a", "one-core")], plan.Placements);
    }

    [Fact]
    public void Plan_SameSnapshot_SamePlan()
    {
        var snapshot = new SchedulingSnapshot(
            [Job("j1", order: 1, cpu: 2), Job("j2", order: 2, cpu: 1, gpus: 1)],
            [Agent("b", cpu: 4), Agent("a", cpu: 4), Agent("g", cpu: 4, gpus: 1)]);

        Assert.Equal(_policy.Plan(snapshot).Placements, _policy.Plan(snapshot).Placements);
        Assert.Equal(_policy.Name, _policy.Plan(snapshot).Policy);
    }

    [Fact]
    public void Plan_FourGpuJob_NeverStartsOnFewerGpusOrAcrossAgents()
    {
        var snapshot = new SchedulingSnapshot(
            [Job("gang", cpu: 4, gpus: 4)],
            [Agent("a", cpu: 16, gpus: 8, allocatedGpus: 5), Agent("b", cpu: 16, gpus: 4, allocatedGpus: 1)]);

        var plan = _policy.Plan(snapshot);

        Assert.Empty(plan.Placements);
        Assert.Empty(plan.Unplaceable);
    }

    [Fact]
    public void Plan_FourGpuJob_StartsWhereAllFourAreFreeOnOneAgent()
    {
        var snapshot = new SchedulingSnapshot(
            [Job("gang", cpu: 4, gpus: 4)],
            [Agent("a", cpu: 16, gpus: 8, allocatedGpus: 5), Agent("b", cpu: 16, gpus: 8, allocatedGpus: 4)]);

        Assert.Equal([new Placement("gang", "b")], _policy.Plan(snapshot).Placements);
    }

    internal static QueuedJob Job(string id, int priority = 0, long order = 0, int cpu = 1, long memory = 0, int gpus = 0) =>
        new(id, priority, order, new ResourceVector(cpu, memory, gpus));

    internal static AgentSlot Agent(
        string id, int cpu, long memory = 16_000, int gpus = 0, int allocatedCpu = 0, long allocatedMemory = 0, int allocatedGpus = 0) =>
        new(id, new ResourceVector(cpu, memory, gpus), new ResourceVector(allocatedCpu, allocatedMemory, allocatedGpus));
}

public sealed class BestFitPlacementPolicyTests() : BestFitPolicyContract(new BestFitPlacementPolicy());

public sealed class IndexedBestFitPlacementPolicyTests() : BestFitPolicyContract(new IndexedBestFitPlacementPolicy())
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Plan_RandomSnapshots_SamePlacementsAsV1(int seed)
    {
        var random = new Random(seed);
        for (var round = 0; round < 50; round++)
        {
            var agents = Enumerable.Range(0, random.Next(1, 30)).Select(i =>
            {
                var gpus = random.Next(0, 9);
                var cpu = random.Next(4, 65);
                var memory = random.Next(8, 257) * 1000L;
                return Agent($"a{i:D2}", cpu, memory, gpus, random.Next(0, cpu / 2), random.Next(0, (int)(memory / 2000)) * 1000L, random.Next(0, gpus + 1));
            }).ToList();
            var jobs = Enumerable.Range(0, random.Next(0, 200)).Select(i => Job(
                $"j{i:D3}", priority: random.Next(0, 3), order: i, cpu: random.Next(1, 17), memory: random.Next(0, 65) * 1000L,
                gpus: random.Next(0, 10) switch { < 3 => 0, < 6 => 1, < 8 => 2, 8 => 4, _ => 8 })).ToList();
            var snapshot = new SchedulingSnapshot(jobs, agents);

            var v1 = new BestFitPlacementPolicy().Plan(snapshot);
            var v2 = new IndexedBestFitPlacementPolicy().Plan(snapshot);

            Assert.Equal(v1.Placements, v2.Placements);
            Assert.Equal(v1.Unplaceable, v2.Unplaceable);
            Assert.Equal(jobs.Count - v2.Placements.Count, v2.Waiting.Count);
        }
    }

    [Fact]
    public void Plan_JobWaitingForGpus_ReasonNamesTheFreeGpus()
    {
        var snapshot = new SchedulingSnapshot([Job("big", gpus: 4)], [Agent("g", cpu: 16, gpus: 8, allocatedGpus: 6)]);

        var plan = new IndexedBestFitPlacementPolicy().Plan(snapshot);

        Assert.Equal("waiting for 1 cores, 0 MB, 4 GPUs free on one agent: at most 2 GPU(s) are free on one agent (g)", plan.Waiting["big"]);
    }

    [Fact]
    public void Plan_JobLargerThanEveryAgent_ReasonSaysSo()
    {
        var snapshot = new SchedulingSnapshot([Job("huge", gpus: 16)], [Agent("g", cpu: 16, gpus: 8)]);

        var plan = new IndexedBestFitPlacementPolicy().Plan(snapshot);

        Assert.StartsWith("needs 1 cores, 0 MB, 16 GPUs: more than any connected agent has in all", plan.Waiting["huge"]);
    }

    [Fact]
    public void Plan_PreemptionOnAndALowerPriorityJobRunning_BestFitNeverPreempts()
    {
        var start = new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);
        var snapshot = new SchedulingSnapshot([Job("urgent", priority: 9, gpus: 1)], [Agent("g", cpu: 8, gpus: 1, allocatedGpus: 1)])
        {
            Now = start.AddHours(1),
            Running = [new RunningJob("low", "g", 0, new ResourceVector(1, 0, 1)) { StartedAt = start }],
            FairShare = new FairShareSettings { Preemption = true },
        };

        Assert.Empty(new BestFitPlacementPolicy().Plan(snapshot).Preemptions);
        Assert.Empty(new IndexedBestFitPlacementPolicy().Plan(snapshot).Preemptions);
        Assert.Equal("low", Assert.Single(new FairSharePlacementPolicy().Plan(snapshot).Preemptions).JobId);
    }

    [Fact]
    public void Plan_NoAgents_EveryJobWaitsForOne()
    {
        var plan = new IndexedBestFitPlacementPolicy().Plan(new SchedulingSnapshot([Job("j")], []));

        Assert.Equal("no agent is connected", plan.Waiting["j"]);
    }
}
