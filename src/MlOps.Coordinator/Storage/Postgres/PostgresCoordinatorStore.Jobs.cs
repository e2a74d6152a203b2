using MlOps.Contracts;
using MlOps.Coordinator.Jobs;
using Npgsql;

namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>Jobs and their events: the spec and the status are protobuf blobs; the columns beside them exist
/// to filter and sort.</summary>
internal sealed partial class PostgresCoordinatorStore
{
    private const string JobColumns = "spec, status";

    public Task<JobUpdate> CreateJobAsync(JobMutation creation, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            var job = creation.Updated.Clone();
            var events = JobRevisions.Number(job, creation.Events, 0);
            await using var command = Command(connection, transaction,
                """
                WITH next AS (UPDATE job_counter SET last_created_seq = last_created_seq + 1 RETURNING last_created_seq)
                INSERT INTO jobs (id, created_seq, state, owner, name, priority, agent_id, attempt, max_attempts,
                                  created_at, updated_at, last_event_seq, spec, status)
                SELECT @id, next.last_created_seq, @state, @owner, @name, @priority, @agent, @attempt, @max_attempts,
                       @created_at, @updated_at, @last_event_seq, @spec, @status
                FROM next;
                """);
            StoreParameters.Postgres(command).AddJob(job, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken);
            await InsertEventsAsync(connection, transaction, events, cancellationToken);
            return new JobUpdate(job, events);
        }, cancellationToken);

    public async Task<Job?> GetJobAsync(string jobId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await ReadJobAsync(connection, null, jobId, lockRow: false, cancellationToken);
    }

    public Task<JobUpdate?> UpdateJobAsync(string jobId, JobMutator mutate, CancellationToken cancellationToken) =>
        WriteAsync<JobUpdate?>(async (connection, transaction) =>
        {
            // The row lock makes a concurrent update of the same job, from this coordinator or another, wait for this
            // one and then mutate the version it wrote: no lost update, no duplicate event numbers.
            var current = await ReadJobAsync(connection, transaction, jobId, lockRow: true, cancellationToken);
            if (current is null)
            {
                return null;
            }

            if (JobRevisions.Mutate(jobId, current, mutate) is not { Updated: var job } mutation)
            {
                return new JobUpdate(current, []);
            }

            var registered = mutation.Registration is { } draft
                ? await InsertModelVersionAsync(connection, transaction, draft, cancellationToken)
                : null;
            var proposed = registered is null ? mutation.Events : JobRevisions.Register(job, mutation.Events, registered, _timeProvider);
            var events = JobRevisions.Number(job, proposed, current.LastEventSeq);
            await using var command = Command(connection, transaction,
                """
                UPDATE jobs SET state = @state, owner = @owner, name = @name, priority = @priority, agent_id = @agent,
                    attempt = @attempt, max_attempts = @max_attempts, created_at = @created_at, updated_at = @updated_at,
                    last_event_seq = @last_event_seq, spec = @spec, status = @status
                WHERE id = @id;
                """);
            StoreParameters.Postgres(command).AddJob(job, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            await command.ExecuteNonQueryAsync(cancellationToken);
            await InsertEventsAsync(connection, transaction, events, cancellationToken);
            return new JobUpdate(job, events) { Registered = registered };
        }, cancellationToken);

    public async Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var page = new JobPageQuery(query);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "");
        command.CommandText = page.Select(StoreParameters.Postgres(command), JobColumns, states => StateFilter(command, states));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken) && page.Add(reader))
        {
            // Add declines the row past the page, which only says that another page follows.
        }

        return page.ToPage();
    }

    public async Task<IReadOnlyList<Job>> ListJobsByStateAsync(IReadOnlyCollection<JobState> states, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "");
        command.CommandText = $"SELECT {JobColumns} FROM jobs WHERE {StateFilter(command, states)} ORDER BY created_seq;";
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadJob, cancellationToken);
    }

    public async Task<IReadOnlyList<Job>> ListActiveJobsOnAgentAsync(string agentId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "");
        command.CommandText =
            $"SELECT {JobColumns} FROM jobs WHERE agent_id = @agent AND {StateFilter(command, JobStates.OnAgent)} ORDER BY created_seq;";
        command.Parameters.AddWithValue("agent", agentId);
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadJob, cancellationToken);
    }

    public async Task<IReadOnlyList<JobEvent>> ReadEventsAsync(string jobId, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT payload FROM job_events WHERE job_id = @job AND seq > @after ORDER BY seq LIMIT @limit;");
        command.Parameters.AddWithValue("job", jobId);
        command.Parameters.AddWithValue("after", afterSeq);
        command.Parameters.AddWithValue("limit", limit);
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadJobEvent, cancellationToken);
    }

    private static async Task InsertEventsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, List<JobEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0)
        {
            return;
        }

        // One round trip for all of them; a batch takes positional parameters.
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var e in events)
        {
            var insert = new NpgsqlBatchCommand("INSERT INTO job_events (job_id, seq, time, kind, payload) VALUES ($1, $2, $3, $4, $5);");
            StoreParameters.Positional(insert).AddJobEvent(e);
            batch.BatchCommands.Add(insert);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<Job?> ReadJobAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string jobId, bool lockRow, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            $"SELECT {JobColumns} FROM jobs WHERE id = @id{(lockRow ? " FOR UPDATE" : "")};");
        command.Parameters.AddWithValue("id", jobId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? StoreRows.ReadJob(reader) : null;
    }

    /// <summary>Binds the states as one array parameter and returns the <c>state = ANY (...)</c> clause (false when empty).</summary>
    private static string StateFilter(NpgsqlCommand command, IReadOnlyCollection<JobState> states)
    {
        command.Parameters.AddWithValue("states", states.Distinct().Select(s => (int)s).ToArray());
        return "state = ANY (@states)";
    }
}
