using Microsoft.Extensions.Time.Testing;
using MlOps.Coordinator.Scheduling;

namespace MlOps.Coordinator.Tests.Scheduling;

/// <summary>fair-share/v2 preemption: who is stopped, who never is, and the hold while they stop. The clock is a
/// <see cref="FakeTimeProvider"/> read into <see cref="SchedulingSnapshot.Now"/>.</summary>
public sealed class FairSharePreemptionTests
{
    private static readonly FairShareSettings On = new() { Preemption = true };
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly FairSharePlacementPolicy _policy = new();

    [Fact]
    public void Plan_HigherPriorityJobWaiting_PreemptsTheLowestPriorityMostRecentlyStartedJob()
    {
        var snapshot = Snapshot(
            [Job("urgent", priority: 5, gpus: 1)],
            [Agent("g", gpus: 4, allocatedGpus: 4)],
            [
                Running("p0-old", "g", priority: 0, gpus: 1, minutesAgo: 60),
                Running("p0-young", "g", priority: 0, gpus: 1, minutesAgo: 10),
                Running("p1-young", "g", priority: 1, gpus: 1, minutesAgo: 5),
                Running("p2", "g", priority: 2, gpus: 1, minutesAgo: 30),
            ]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Preemption("p0-young", "g", "urgent", "preempted for job urgent (priority 5 > 0)")], plan.Preemptions);
        Assert.Empty(plan.Placements);
        Assert.Equal("waiting for 1 preempted job(s) on agent g to checkpoint and stop", plan.Waiting["urgent"]);
    }

    [Fact]
    public void Plan_RunningJobsOfEqualOrHigherPriority_NotPreempted()
    {
        var snapshot = Snapshot(
            [Job("j", priority: 5, gpus: 1)],
            [Agent("g", gpus: 2, allocatedGpus: 2)],
            [Running("same", "g", priority: 5, gpus: 1), Running("higher", "g", priority: 7, gpus: 1)]);

        var plan = _policy.Plan(snapshot);

        Assert.Empty(plan.Preemptions);
        Assert.StartsWith("waiting for 1 cores, 1000 MB, 1 GPUs free on one agent", plan.Waiting["j"]);
    }

    [Fact]
    public void Plan_HigherOnlyByAging_DoesNotPreempt()
    {
        // Spec priority 0, aged to 0 + 12: it outranks queued work, but only its spec priority may preempt.
        var old = Job("old", priority: 0, gpus: 1) with { QueuedAt = _clock.GetUtcNow().AddHours(-2) };
        var snapshot = Snapshot([old], [Agent("g", gpus: 1, allocatedGpus: 1)], [Running("r", "g", priority: 1, gpus: 1)]);

        Assert.Empty(_policy.Plan(snapshot).Preemptions);
    }

    [Fact]
    public void Plan_VictimStartedWithinMinRunTime_SparedUntilItHasRunLongEnough()
    {
        var started = _clock.GetUtcNow();
        QueuedJob[] queue = [Job("urgent", priority: 5, gpus: 1)];
        AgentSlot[] agents = [Agent("g", gpus: 1, allocatedGpus: 1)];
        RunningJob[] running = [new("r", "g", 0, Gpus(1)) { StartedAt = started }];

        _clock.Advance(TimeSpan.FromSeconds(119));
        Assert.Empty(_policy.Plan(Snapshot(queue, agents, running)).Preemptions);

        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("r", Assert.Single(_policy.Plan(Snapshot(queue, agents, running)).Preemptions).JobId);
    }

    [Fact]
    public void Plan_StartTimeUnknown_NotPreempted()
    {
        var snapshot = Snapshot(
            [Job("urgent", priority: 5, gpus: 1)], [Agent("g", gpus: 1, allocatedGpus: 1)], [new RunningJob("r", "g", 0, Gpus(1))]);

        Assert.Empty(_policy.Plan(snapshot).Preemptions);
    }

    [Fact]
    public void Plan_PreemptionOff_NothingPreemptedAndTheUsualHold()
    {
        var snapshot = Snapshot([Job("urgent", priority: 5, gpus: 1)], [Agent("g", gpus: 1, allocatedGpus: 1)], [Running("r", "g", 0, gpus: 1)])
            with { FairShare = new FairShareSettings() };

        var plan = _policy.Plan(snapshot);

        Assert.Empty(plan.Preemptions);
        Assert.EndsWith("agent g is held for it", plan.Waiting["urgent"]);
    }

    [Fact]
    public void Plan_JobAlreadyPreempting_NeverChosenAgainAndItsJobDoesNotPreemptMore()
    {
        var snapshot = Snapshot(
            [Job("first", priority: 9, order: 1, gpus: 8), Job("second", priority: 9, order: 2, gpus: 8)],
            [Agent("a", gpus: 8, allocatedGpus: 8), Agent("b", gpus: 8, allocatedGpus: 8)],
            [
                Running("stopping", "a", priority: 0, gpus: 8) with { Preempting = true, ForJobId = "first" },
                Running("busy", "b", priority: 0, gpus: 8),
            ]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Preemption("busy", "b", "second", "preempted for job second (priority 9 > 0)")], plan.Preemptions);
        Assert.Equal("waiting for 1 preempted job(s) on agent a to checkpoint and stop", plan.Waiting["first"]);
        Assert.Equal("waiting for 1 preempted job(s) on agent b to checkpoint and stop", plan.Waiting["second"]);
    }

    [Fact]
    public void Plan_JobAlreadyPreemptingForNoKnownJob_NeverChosenEvenThoughItsPriorityIsLowest()
    {
        var snapshot = Snapshot(
            [Job("urgent", priority: 9, gpus: 8)],
            [Agent("a", gpus: 8, allocatedGpus: 8), Agent("b", gpus: 8, allocatedGpus: 8)],
            [Running("stopping", "a", priority: 0, gpus: 8) with { Preempting = true }, Running("busy", "b", priority: 1, gpus: 8)]);

        Assert.Equal("busy", Assert.Single(_policy.Plan(snapshot).Preemptions).JobId);
    }

    [Fact]
    public void Plan_PreemptingForAJobThatLeftTheQueue_RoomIsForAnyoneAndNothingMoreIsPreempted()
    {
        var snapshot = Snapshot(
            [Job("small", priority: 9, gpus: 1)],
            [Agent("a", gpus: 8, allocatedGpus: 6)],
            [Running("stopping", "a", priority: 0, gpus: 6) with { Preempting = true, ForJobId = "cancelled" }]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal([new Placement("small", "a")], plan.Placements);
        Assert.Empty(plan.Preemptions);
    }

    [Fact]
    public void Plan_VictimsStopping_AgentHeldForThePreemptorWhichStartsOnceTheyAreGone()
    {
        // One 8-GPU agent: 6 GPUs held by a low-priority job, 2 free; an 8-GPU job of priority 9 arrives behind a
        // stream of 1-GPU jobs of priority 1 that would otherwise fill the free GPUs.
        var agent = "g";
        var queue = new List<QueuedJob> { Job("big", priority: 9, order: 10, gpus: 8), Job("small-1", priority: 1, order: 1, gpus: 1) };
        var low = Running("low", agent, priority: 0, gpus: 6);

        // Pass 1: the low job is preempted for big; the free GPUs stay free for big.
        var first = _policy.Plan(Snapshot(queue, [Agent(agent, gpus: 8, allocatedGpus: 6)], [low]));
        Assert.Equal([new Preemption("low", agent, "big", "preempted for job big (priority 9 > 0)")], first.Preemptions);
        Assert.Empty(first.Placements);

        // Pass 2, a minute later: low is checkpointing (Preempting, for big); another small job arrived.
        _clock.Advance(TimeSpan.FromMinutes(1));
        queue.Add(Job("small-2", priority: 1, order: 2, gpus: 1));
        var second = _policy.Plan(Snapshot(queue, [Agent(agent, gpus: 8, allocatedGpus: 6)], [low with { Preempting = true, ForJobId = "big" }]));
        Assert.Empty(second.Placements);
        Assert.Empty(second.Preemptions);
        Assert.Equal("waiting for 1 preempted job(s) on agent g to checkpoint and stop", second.Waiting["big"]);

        // Pass 3: low stopped and is queued again; big starts, nothing else fits beside it.
        _clock.Advance(TimeSpan.FromMinutes(1));
        queue.Add(Job("low", priority: 0, order: 0, gpus: 6));
        var third = _policy.Plan(Snapshot(queue, [Agent(agent, gpus: 8)], []));
        Assert.Equal([new Placement("big", agent)], third.Placements);
        Assert.Empty(third.Preemptions);
    }

    [Fact]
    public void Plan_TeamAtItsQuota_DoesNotPreempt()
    {
        var snapshot = Snapshot(
            [Job("urgent", priority: 5, gpus: 2) with { Team = "vision" }],
            [Agent("g", gpus: 8, allocatedGpus: 8)],
            [Running("mine", "g", priority: 5, gpus: 7) with { Team = "vision" }, Running("theirs", "g", priority: 0, gpus: 1) with { Team = "nlp" }])
            with
            {
                TeamGpusInUse = new Dictionary<string, int> { ["vision"] = 7, ["nlp"] = 1 },
                FairShare = On with { TeamGpuQuotas = new Dictionary<string, int> { ["vision"] = 8 } },
            };

        var plan = _policy.Plan(snapshot);

        Assert.Empty(plan.Preemptions);
        Assert.StartsWith("team 'vision' is at its GPU quota", plan.Waiting["urgent"]);
    }

    [Fact]
    public void Plan_QuotaCountsThePreemptorsGpus_SecondJobOfTheTeamDoesNotPreempt()
    {
        var snapshot = Snapshot(
            [Job("v1", priority: 5, order: 1, gpus: 4) with { Team = "vision" }, Job("v2", priority: 5, order: 2, gpus: 4) with { Team = "vision" }],
            [Agent("a", gpus: 4, allocatedGpus: 4), Agent("b", gpus: 4, allocatedGpus: 4)],
            [Running("ra", "a", 0, gpus: 4) with { Team = "nlp" }, Running("rb", "b", 0, gpus: 4) with { Team = "nlp" }])
            with { FairShare = On with { TeamGpuQuotas = new Dictionary<string, int> { ["vision"] = 6 } } };

        var plan = _policy.Plan(snapshot);

        Assert.Equal("v1", Assert.Single(plan.Preemptions).ForJobId);
        Assert.Equal("team 'vision' is at its GPU quota: 4 of 6 in use, the job needs 4", plan.Waiting["v2"]);
    }

    [Fact]
    public void Plan_EightGpuJob_StopsSeveralLowPriorityJobsOnOneAgentRatherThanOneOfHigherPriority()
    {
        var snapshot = Snapshot(
            [Job("big", priority: 9, gpus: 8)],
            [Agent("a", gpus: 8, allocatedGpus: 8), Agent("b", gpus: 8, allocatedGpus: 8)],
            [
                Running("a1", "a", 0, gpus: 2, minutesAgo: 40), Running("a2", "a", 0, gpus: 2, minutesAgo: 30),
                Running("a3", "a", 1, gpus: 2, minutesAgo: 20), Running("a4", "a", 0, gpus: 2, minutesAgo: 10),
                Running("b1", "b", 3, gpus: 8),
            ]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal(["a1", "a2", "a4", "a3"], plan.Preemptions.Select(p => p.JobId));
        Assert.All(plan.Preemptions, p => Assert.Equal(("a", "big"), (p.AgentId, p.ForJobId)));
    }

    [Fact]
    public void Plan_SameHighestPriority_FewestVictimsThenFewestGpus()
    {
        var snapshot = Snapshot(
            [Job("j", priority: 9, gpus: 4)],
            [Agent("many", gpus: 4, allocatedGpus: 4), Agent("one-big", gpus: 8, allocatedGpus: 8), Agent("one-fit", gpus: 4, allocatedGpus: 4)],
            [
                Running("m1", "many", 0, gpus: 2, minutesAgo: 3), Running("m2", "many", 0, gpus: 2, minutesAgo: 3),
                Running("big", "one-big", 0, gpus: 8, minutesAgo: 3),
                Running("fit", "one-fit", 0, gpus: 4, minutesAgo: 50),
            ]);

        Assert.Equal("fit", Assert.Single(_policy.Plan(snapshot).Preemptions).JobId);
    }

    [Fact]
    public void Plan_GpuConstraint_OnlyPreemptsOnMatchingAgents()
    {
        var snapshot = Snapshot(
            [Job("h100-job", priority: 5, gpus: 1) with { Gpu = new GpuConstraint(0, "H100") }],
            [
                Agent("a100", gpus: 1, allocatedGpus: 1) with { GpuModel = "NVIDIA A100-SXM4-40GB" },
                Agent("h100", gpus: 1, allocatedGpus: 1) with { GpuModel = "NVIDIA H100 80GB HBM3" },
            ],
            [Running("on-a100", "a100", 0, gpus: 1, minutesAgo: 3), Running("on-h100", "h100", 2, gpus: 1, minutesAgo: 90)]);

        Assert.Equal(new Preemption("on-h100", "h100", "h100-job", "preempted for job h100-job (priority 5 > 2)"),
            Assert.Single(_policy.Plan(snapshot).Preemptions));
    }

    [Fact]
    public void Plan_MoreVictimsNeededThanMaxPreemptionsPerPass_NothingPreempted()
    {
        var snapshot = Snapshot(
            [Job("big", priority: 9, gpus: 4)],
            [Agent("a", gpus: 4, allocatedGpus: 4)],
            [Running("r1", "a", 0, gpus: 1), Running("r2", "a", 0, gpus: 1), Running("r3", "a", 0, gpus: 1), Running("r4", "a", 0, gpus: 1)]);

        Assert.Empty(_policy.Plan(snapshot with { FairShare = On with { MaxPreemptionsPerPass = 3 } }).Preemptions);
        Assert.Equal(4, _policy.Plan(snapshot with { FairShare = On with { MaxPreemptionsPerPass = 4 } }).Preemptions.Count);
    }

    [Fact]
    public void Plan_PreemptedAgentHeld_LowerPriorityJobsOfThePassGoElsewhere()
    {
        var snapshot = Snapshot(
            [Job("big", priority: 9, order: 1, gpus: 8), Job("small", priority: 1, order: 2, gpus: 1)],
            [Agent("a", gpus: 8, allocatedGpus: 7), Agent("b", gpus: 8, allocatedGpus: 6)],
            [Running("ra", "a", 0, gpus: 7), Running("rb", "b", 0, gpus: 6, minutesAgo: 1)]);

        var plan = _policy.Plan(snapshot);

        // Best fit alone would put the small job on a (1 GPU free), the tighter agent.
        Assert.Equal("ra", Assert.Single(plan.Preemptions).JobId);
        Assert.Equal([new Placement("small", "b")], plan.Placements);
    }

    [Fact]
    public void Plan_SameSnapshot_SamePreemptions()
    {
        var snapshot = Snapshot(
            [Job("x", priority: 9, order: 1, gpus: 2), Job("y", priority: 8, order: 2, gpus: 2)],
            [Agent("a", gpus: 2, allocatedGpus: 2), Agent("b", gpus: 2, allocatedGpus: 2)],
            [Running("ra", "a", 0, gpus: 2), Running("rb", "b", 0, gpus: 2)]);

        var plan = _policy.Plan(snapshot);

        Assert.Equal(plan.Preemptions, _policy.Plan(snapshot).Preemptions);
        Assert.Equal([("ra", "x"), ("rb", "y")], plan.Preemptions.Select(p => (p.JobId, p.ForJobId)));
        Assert.Equal("fair-share/v2", plan.Policy);
    }

    private SchedulingSnapshot Snapshot(IReadOnlyList<QueuedJob> queue, IReadOnlyList<AgentSlot> agents, IReadOnlyList<RunningJob> running) =>
        new(queue, agents) { Now = _clock.GetUtcNow(), Running = running, FairShare = On };

    private QueuedJob Job(string id, int priority, long order = 0, int gpus = 0) =>
        new(id, priority, order, Gpus(gpus)) { Team = "t", QueuedAt = _clock.GetUtcNow() };

    private RunningJob Running(string id, string agent, int priority, int gpus, int minutesAgo = 30) =>
        new(id, agent, priority, Gpus(gpus)) { Team = "t", StartedAt = _clock.GetUtcNow().AddMinutes(-minutesAgo) };

    private static ResourceVector Gpus(int gpus) => new(1, 1000, gpus);

    private static AgentSlot Agent(string id, int gpus, int allocatedGpus = 0) =>
        new(id, new ResourceVector(64, 512_000, gpus), new ResourceVector(allocatedGpus, allocatedGpus * 1000L, allocatedGpus));
}
