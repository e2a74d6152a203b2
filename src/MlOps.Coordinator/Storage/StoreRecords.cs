using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>A job's next version and the events that explain the change (job id and seq are filled in by the store).</summary>
public sealed record JobMutation(Job Updated, IReadOnlyList<JobEvent> Events)
{
    /// <summary>
    /// A model version to register in the same transaction (a job that succeeded with a model artifact). The store
    /// numbers it, puts the number into the job's <c>result.model_version</c> and adds an event saying so.
    /// </summary>
    public ModelVersion? Registration { get; init; }
}

/// <summary>The job as stored after an update, and the events written with it (empty when nothing changed).</summary>
public sealed record JobUpdate(Job Job, IReadOnlyList<JobEvent> Events)
{
    public bool Changed => Events.Count > 0;

    /// <summary>The model version registered with this update, if any.</summary>
    public ModelVersion? Registered { get; init; }
}

/// <summary>A page request for <see cref="ICoordinatorStore.ListJobsAsync"/>. Empty <see cref="States"/> and
/// null <see cref="Owner"/> mean no filter.</summary>
public sealed record JobQuery(IReadOnlyCollection<JobState> States, string? Owner, int PageSize, string? PageToken)
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    /// <summary>The page size the server uses: 0 means the default, larger values are capped.</summary>
    public int EffectivePageSize => PageSize <= 0 ? DefaultPageSize : Math.Min(PageSize, MaxPageSize);
}

/// <summary>One page of jobs; <see cref="NextPageToken"/> is empty on the last page.</summary>
public sealed record JobPage(IReadOnlyList<Job> Jobs, string NextPageToken);

/// <summary>What the store keeps about an agent between coordinator runs.</summary>
public sealed record AgentRecord(
    string AgentId, string Host, string Version, AgentCapacity Capacity, AgentStatus Status, DateTimeOffset LastSeen)
{
    /// <summary>Drained by an operator: no new jobs or serving replicas; kept across reconnects and restarts.</summary>
    public bool Drained { get; init; }
}
