using Microsoft.Data.Sqlite;
using MlOps.Contracts;
using MlOps.Coordinator.Jobs;

namespace MlOps.Coordinator.Storage;

/// <summary>Jobs and their events: the spec and the status are protobuf blobs; the columns beside them exist
/// to filter and sort.</summary>
internal sealed partial class SqliteCoordinatorStore
{
    private const string JobColumns = "spec, status";

    public Task<JobUpdate> CreateJobAsync(JobMutation creation, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) =>
        {
            var job = creation.Updated.Clone();
            var events = JobRevisions.Number(job, creation.Events, 0);
            using var command = Command(connection, transaction,
                """
                INSERT INTO jobs (id, created_seq, state, owner, name, priority, agent_id, attempt, max_attempts,
                                  created_at, updated_at, last_event_seq, spec, status)
                VALUES ($id, (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM jobs), $state, $owner, $name, $priority,
                        $agent, $attempt, $max_attempts, $created_at, $updated_at, $last_event_seq, $spec, $status);
                """);
            StoreParameters.Sqlite(command).AddJob(job, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            InsertEvents(connection, transaction, events);
            return new JobUpdate(job, events);
        }, cancellationToken);

    public Task<Job?> GetJobAsync(string jobId, CancellationToken cancellationToken)
    {
        using var connection = Open();
        return Task.FromResult(ReadJob(connection, null, jobId));
    }

    public async Task<JobUpdate?> UpdateJobAsync(string jobId, JobMutator mutate, CancellationToken cancellationToken) =>
        await WriteAsync<JobUpdate?>((connection, transaction) =>
        {
            var current = ReadJob(connection, transaction, jobId);
            if (current is null)
            {
                return null;
            }

            if (JobRevisions.Mutate(jobId, current, mutate) is not { Updated: var job } mutation)
            {
                return new JobUpdate(current, []);
            }

            var registered = mutation.Registration is { } draft ? InsertModelVersion(connection, transaction, draft) : null;
            var proposed = registered is null ? mutation.Events : JobRevisions.Register(job, mutation.Events, registered, _timeProvider);
            var events = JobRevisions.Number(job, proposed, current.LastEventSeq);
            using var command = Command(connection, transaction,
                """
                UPDATE jobs SET state = $state, owner = $owner, name = $name, priority = $priority, agent_id = $agent,
                    attempt = $attempt, max_attempts = $max_attempts, created_at = $created_at, updated_at = $updated_at,
                    last_event_seq = $last_event_seq, spec = $spec, status = $status
                WHERE id = $id;
                """);
            StoreParameters.Sqlite(command).AddJob(job, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            InsertEvents(connection, transaction, events);
            return new JobUpdate(job, events) { Registered = registered };
        }, cancellationToken);

    public Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var page = new JobPageQuery(query);
        using var connection = Open();
        using var command = Command(connection, null, "");
        command.CommandText = page.Select(StoreParameters.Sqlite(command), JobColumns, states => StateFilter(command, states));
        using var reader = command.ExecuteReader();
        while (reader.Read() && page.Add(reader))
        {
            // Add declines the row past the page, which only says that another page follows.
        }

        return Task.FromResult(page.ToPage());
    }

    public Task<IReadOnlyList<Job>> ListJobsByStateAsync(IReadOnlyCollection<JobState> states, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "");
        command.CommandText = $"SELECT {JobColumns} FROM jobs WHERE {StateFilter(command, states)} ORDER BY created_seq;";
        return Task.FromResult<IReadOnlyList<Job>>(StoreRows.ReadAll(command, StoreRows.ReadJob));
    }

    public Task<IReadOnlyList<Job>> ListActiveJobsOnAgentAsync(string agentId, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "");
        command.CommandText =
            $"SELECT {JobColumns} FROM jobs WHERE agent_id = $agent AND {StateFilter(command, JobStates.OnAgent)} ORDER BY created_seq;";
        command.Parameters.AddWithValue("$agent", agentId);
        return Task.FromResult<IReadOnlyList<Job>>(StoreRows.ReadAll(command, StoreRows.ReadJob));
    }

    public Task<IReadOnlyList<JobEvent>> ReadEventsAsync(string jobId, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null,
            "SELECT payload FROM job_events WHERE job_id = $job AND seq > $after ORDER BY seq LIMIT $limit;");
        command.Parameters.AddWithValue("$job", jobId);
        command.Parameters.AddWithValue("$after", afterSeq);
        command.Parameters.AddWithValue("$limit", limit);
        return Task.FromResult<IReadOnlyList<JobEvent>>(StoreRows.ReadAll(command, StoreRows.ReadJobEvent));
    }

    private static void InsertEvents(SqliteConnection connection, SqliteTransaction transaction, List<JobEvent> events)
    {
        foreach (var e in events)
        {
            using var command = Command(connection, transaction,
                "INSERT INTO job_events (job_id, seq, time, kind, payload) VALUES ($job, $seq, $time, $kind, $payload);");
            StoreParameters.Sqlite(command).AddJobEvent(e);
            command.ExecuteNonQuery();
        }
    }

    private static Job? ReadJob(SqliteConnection connection, SqliteTransaction? transaction, string jobId)
    {
        using var command = Command(connection, transaction, $"SELECT {JobColumns} FROM jobs WHERE id = $id;");
        command.Parameters.AddWithValue("$id", jobId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? StoreRows.ReadJob(reader) : null;
    }

    /// <summary>Adds one parameter per state and returns the <c>state IN (...)</c> clause.</summary>
    private static string StateFilter(SqliteCommand command, IReadOnlyCollection<JobState> states)
    {
        var names = new List<string>();
        foreach (var state in states.Distinct())
        {
            var name = "$state" + names.Count;
            command.Parameters.AddWithValue(name, (int)state);
            names.Add(name);
        }

        return names.Count == 0 ? "0" : $"state IN ({string.Join(", ", names)})";
    }
}
