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

/// <summary>A job waiting for an agent. <see cref="SubmitOrder"/> breaks ties within a priority (lower first).</summary>
public sealed record QueuedJob(string JobId, int Priority, long SubmitOrder, ResourceVector Request);

/// <summary>A connected agent: its total capacity and what its jobs already hold.</summary>
public sealed record AgentSlot(string AgentId, ResourceVector Capacity, ResourceVector Allocated)
{
    public ResourceVector Free => Capacity - Allocated;
}

/// <summary>Everything a placement decision looks at, frozen at one moment.</summary>
public sealed record SchedulingSnapshot(IReadOnlyList<QueuedJob> Queue, IReadOnlyList<AgentSlot> Agents);

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
