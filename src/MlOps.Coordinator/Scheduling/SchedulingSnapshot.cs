using MlOps.Contracts;

namespace MlOps.Coordinator.Scheduling;

/// <summary>An amount of each schedulable resource: CPU cores, memory in MB and whole GPUs.</summary>
public readonly record struct ResourceVector(int CpuCores, long MemoryMb, int Gpus)
{
    public static ResourceVector Zero => default;

    /// <summary>What a job asks for. A request of 0 CPU cores counts as 1 (every process needs one).</summary>
    public static ResourceVector Of(Resources? request) =>
        new(Math.Max(1, request?.CpuCores ?? 0), Math.Max(0, request?.MemoryMb ?? 0), Math.Max(0, request?.Gpus ?? 0));

    /// <summary>What an agent has in all.</summary>
    public static ResourceVector Of(AgentCapacity? capacity) =>
        new(Math.Max(0, capacity?.CpuCores ?? 0), Math.Max(0, capacity?.MemoryMb ?? 0), capacity?.Gpus.Count ?? 0);

    public bool FitsIn(ResourceVector available) =>
        CpuCores <= available.CpuCores && MemoryMb <= available.MemoryMb && Gpus <= available.Gpus;

    public static ResourceVector operator +(ResourceVector a, ResourceVector b) =>
        new(a.CpuCores + b.CpuCores, a.MemoryMb + b.MemoryMb, a.Gpus + b.Gpus);

    public static ResourceVector operator -(ResourceVector a, ResourceVector b) =>
        new(a.CpuCores - b.CpuCores, a.MemoryMb - b.MemoryMb, a.Gpus - b.Gpus);

    public override string ToString() => $"{CpuCores} cores, {MemoryMb} MB, {Gpus} GPUs";
}

/// <summary>What a job's GPUs must be: at least <see cref="MinMemoryMb"/> each, and a model name containing
/// <see cref="Model"/> (ignoring case). The default asks for nothing.</summary>
public readonly record struct GpuConstraint(long MinMemoryMb, string Model)
{
    public bool IsNone => MinMemoryMb <= 0 && string.IsNullOrEmpty(Model);

    public bool AllowedOn(AgentSlot agent) =>
        (MinMemoryMb <= 0 || agent.GpuMemoryMb >= MinMemoryMb) &&
        (string.IsNullOrEmpty(Model) || agent.GpuModel.Contains(Model, StringComparison.OrdinalIgnoreCase));

    public override string ToString() =>
        IsNone ? "any GPU" : string.Join(", ", new[] { MinMemoryMb > 0 ? $">= {MinMemoryMb} MB per GPU" : null, string.IsNullOrEmpty(Model) ? null : $"model ~ '{Model}'" }.OfType<string>());
}

/// <summary>A job waiting for an agent. <see cref="SubmitOrder"/> breaks ties within a priority (lower first).</summary>
public sealed record QueuedJob(string JobId, int Priority, long SubmitOrder, ResourceVector Request)
{
    /// <summary>Whose quota and fair share the job counts against.</summary>
    public string Team { get; init; } = "";

    /// <summary>When it was submitted (aging: the longer a job waits, the higher it ranks).</summary>
    public DateTimeOffset QueuedAt { get; init; }

    public GpuConstraint Gpu { get; init; }
}

/// <summary>A connected agent: its total capacity and what its jobs already hold.</summary>
public sealed record AgentSlot(string AgentId, ResourceVector Capacity, ResourceVector Allocated)
{
    public ResourceVector Free => Capacity - Allocated;

    /// <summary>Model name of its GPUs (the first GPU's; nodes are homogeneous in practice).</summary>
    public string GpuModel { get; init; } = "";

    /// <summary>Memory of its smallest GPU, MB.</summary>
    public long GpuMemoryMb { get; init; }

    /// <summary>GPUs the agent reported unhealthy; they are already left out of <see cref="Capacity"/>.</summary>
    public int UnhealthyGpus { get; init; }
}

/// <summary>
/// A job that holds resources on an agent now (assigned or running). Only <see cref="FairSharePlacementPolicy"/> with
/// <see cref="FairShareSettings.Preemption"/> looks at these; the agents' <see cref="AgentSlot.Allocated"/> already
/// counts them.
/// </summary>
public sealed record RunningJob(string JobId, string AgentId, int Priority, ResourceVector Request)
{
    /// <summary>Whose quota and fair share the job counts against.</summary>
    public string Team { get; init; } = "";

    /// <summary>When it was given its agent. A job started less than
    /// <see cref="FairShareSettings.MinRunTimeBeforePreemption"/> ago, or at an unknown time (default), is not
    /// preempted.</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>A preemption was already ordered and the job is checkpointing and stopping: it is never chosen again,
    /// and its resources are meant for <see cref="ForJobId"/>.</summary>
    public bool Preempting { get; init; }

    /// <summary>The queued job a <see cref="Preempting"/> job makes room for: its agent is held for that job until the
    /// job starts or the preempted jobs are gone. Null when not known (the room is then for anyone).</summary>
    public string? ForJobId { get; init; }
}

/// <summary>How fair-share scheduling weighs teams and waiting time.</summary>
public sealed record FairShareSettings
{
    /// <summary>GPUs each team may hold at once; a team not listed has no limit.</summary>
    public IReadOnlyDictionary<string, int> TeamGpuQuotas { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>A waiting job gains one priority level per interval waited (starvation freedom). Default 10 min.</summary>
    public TimeSpan AgingInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Most priority levels a job gains by waiting. Default 100.</summary>
    public int MaxAgingBoost { get; init; } = 100;

    /// <summary>Place each job where it leaves the most room (spread) instead of the least (bin packing).</summary>
    public bool Spread { get; init; }

    /// <summary>Stop running jobs of lower priority to make room for a waiting one. Default false (opt-in).</summary>
    public bool Preemption { get; init; }

    /// <summary>A job that has run less than this is not preempted, so jobs do not thrash. Default 2 min.</summary>
    public TimeSpan MinRunTimeBeforePreemption { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Most running jobs one pass may order stopped. Default 16.</summary>
    public int MaxPreemptionsPerPass { get; init; } = 16;
}

/// <summary>Everything a placement decision looks at, frozen at one moment.</summary>
public sealed record SchedulingSnapshot(IReadOnlyList<QueuedJob> Queue, IReadOnlyList<AgentSlot> Agents)
{
    /// <summary>The moment the snapshot was taken (aging is measured against it).</summary>
    public DateTimeOffset Now { get; init; }

    /// <summary>Queued jobs left out of <see cref="Queue"/> for now (retry backoff), with why (job id → reason).</summary>
    public IReadOnlyDictionary<string, string> Deferred { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>GPUs each team's jobs hold on agents now.</summary>
    public IReadOnlyDictionary<string, int> TeamGpusInUse { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>The jobs on the agents now (what preemption may stop); empty when the policy does not preempt.</summary>
    public IReadOnlyList<RunningJob> Running { get; init; } = [];

    public FairShareSettings FairShare { get; init; } = new();
}

/// <summary>Run job <see cref="JobId"/> on agent <see cref="AgentId"/>.</summary>
public sealed record Placement(string JobId, string AgentId);

/// <summary>
/// The outcome of one scheduling pass: placements to apply in order, and the jobs whose request exceeds the
/// total capacity of every connected agent (they stay queued until a larger agent joins).
/// </summary>
public sealed record SchedulingPlan(string Policy, IReadOnlyList<Placement> Placements, IReadOnlyList<string> Unplaceable)
{
    /// <summary>Why each job left queued waits (job id → reason), for <c>mlops job ID</c>; empty when the policy
    /// does not say.</summary>
    public IReadOnlyDictionary<string, string> Waiting { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Running jobs to stop (checkpoint, then requeue) so that waiting jobs of higher priority fit; empty
    /// when the policy does not preempt.</summary>
    public IReadOnlyList<Preemption> Preemptions { get; init; } = [];

    /// <summary>The plan when no agent is connected: nothing placed, every job waiting for one.</summary>
    public static SchedulingPlan NoAgents(string policy, IEnumerable<QueuedJob> queue) =>
        new(policy, [], []) { Waiting = queue.ToDictionary(j => j.JobId, _ => "no agent is connected", StringComparer.Ordinal) };
}

/// <summary>
/// A named, versioned placement policy: a pure function from a snapshot to a plan. It does no I/O and keeps
/// no state between calls, so the same snapshot always gives the same plan.
/// </summary>
public interface IPlacementPolicy
{
    /// <summary>Name and version, e.g. <c>best-fit/v1</c>; logged with each plan.</summary>
    string Name { get; }

    SchedulingPlan Plan(SchedulingSnapshot snapshot);
}
