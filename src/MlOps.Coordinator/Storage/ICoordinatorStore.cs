using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>
/// Decides a job's next version from its current one. Runs inside the store's write transaction, so it must
/// be pure: no I/O, no waiting. Returns null to leave the job unchanged.
/// </summary>
public delegate JobMutation? JobMutator(Job current);

/// <summary>
/// The coordinator's durable state: jobs with their event logs, and agents. Every job change is written
/// together with its events in one transaction, so a reader never sees a state without the event that
/// explains it. SQLite is the default implementation; PostgreSQL (<c>Postgres/</c>) serves coordinators that share a database.
/// </summary>
public interface ICoordinatorStore : IDisposable
{
    /// <summary>Creates or upgrades the schema. Safe to call on every start: applied versions are skipped.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    /// <summary>The newest applied schema version (0 for an empty database).</summary>
    Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken);

    /// <summary>Stores a new job (<see cref="JobMutation.Updated"/>) with its first events.</summary>
    Task<JobUpdate> CreateJobAsync(JobMutation creation, CancellationToken cancellationToken);

    Task<Job?> GetJobAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Reads the job, lets <paramref name="mutate"/> decide its next version and writes it with the new
    /// events in one transaction. Events get the job id and the next sequence numbers here. Returns null when
    /// the job does not exist, and the unchanged job with no events when <paramref name="mutate"/> declined.
    /// </summary>
    Task<JobUpdate?> UpdateJobAsync(string jobId, JobMutator mutate, CancellationToken cancellationToken);

    /// <summary>Newest first, filtered and paged; throws <see cref="InvalidPageTokenException"/> for a token it did not issue.</summary>
    Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>Every job in one of <paramref name="states"/>, oldest submission first.</summary>
    Task<IReadOnlyList<Job>> ListJobsByStateAsync(IReadOnlyCollection<JobState> states, CancellationToken cancellationToken);

    /// <summary>How many jobs are in each state; states without a job are left out. Read at every metrics scrape, so
    /// it counts over the state index instead of reading jobs.</summary>
    Task<IReadOnlyDictionary<JobState, long>> CountJobsByStateAsync(CancellationToken cancellationToken);

    /// <summary>Jobs held by an agent: ASSIGNED, RUNNING or CANCELLING on <paramref name="agentId"/>.</summary>
    Task<IReadOnlyList<Job>> ListActiveJobsOnAgentAsync(string agentId, CancellationToken cancellationToken);

    /// <summary>Up to <paramref name="limit"/> events of a job with <c>seq &gt; afterSeq</c>, in sequence order.</summary>
    Task<IReadOnlyList<JobEvent>> ReadEventsAsync(string jobId, long afterSeq, int limit, CancellationToken cancellationToken);

    /// <summary>Inserts or replaces an agent's record.</summary>
    Task SaveAgentAsync(AgentRecord agent, CancellationToken cancellationToken);

    Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Fencing for coordinators that share the store: takes the next write epoch for <paramref name="holder"/> and
    /// returns it. From then on every write through this instance first checks, inside its transaction, that no later
    /// claim was made, and fails with <see cref="StaleWriterException"/> (raising <see cref="WritesFenced"/>) if one
    /// was; the claim waits for writes in flight. A store that never claimed writes unchecked (a single coordinator).
    /// </summary>
    Task<long> ClaimWritesAsync(string holder, CancellationToken cancellationToken);

    /// <summary>Raised when a write was refused because a newer claim exists.</summary>
    event EventHandler<StaleWriterException>? WritesFenced;
}
