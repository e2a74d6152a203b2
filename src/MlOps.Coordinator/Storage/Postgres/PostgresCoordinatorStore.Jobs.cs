using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
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
            var events = Number(job, creation.Events, 0);
            await using var command = Command(connection, transaction,
                """
                WITH next AS (UPDATE job_counter SET last_created_seq = last_created_seq + 1 RETURNING last_created_seq)
                INSERT INTO jobs (id, created_seq, state, owner, name, priority, agent_id, attempt, max_attempts,
                                  created_at, updated_at, last_event_seq, spec, status)
                SELECT @id, next.last_created_seq, @state, @owner, @name, @priority, @agent, @attempt, @max_attempts,
                       @created_at, @updated_at, @last_event_seq, @spec, @status
                FROM next;
                """);
            BindJob(command, job);
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

            var mutation = mutate(current.Clone());
            if (mutation is null)
            {
                return new JobUpdate(current, []);
            }

            var job = mutation.Updated.Clone();
            if (job.Id != jobId)
            {
                throw new InvalidOperationException($"a mutation of job {jobId} returned job {job.Id}");
            }

            ModelVersion? registered = null;
            var proposed = mutation.Events;
            if (mutation.Registration is { } draft)
            {
                // The version number exists only inside this transaction, so the store completes the job with it.
                registered = await InsertModelVersionAsync(connection, transaction, draft, cancellationToken);
                job.Result ??= new JobResult();
                job.Result.ModelVersion = registered.Version;
                var time = (proposed.Count > 0 ? proposed[^1].Time : null) ?? Timestamp.FromDateTimeOffset(_timeProvider.GetUtcNow());
                var announcement = JobTransitions.Registered(registered, time);

                // Before the final state change: watchers stop at a terminal state, and must have seen it by then.
                proposed = proposed.Count > 0 && proposed[^1].PayloadCase == JobEvent.PayloadOneofCase.StateChange
                    ? [.. proposed.Take(proposed.Count - 1), announcement, proposed[^1]]
                    : [.. proposed, announcement];
            }

            var events = Number(job, proposed, current.LastEventSeq);
            await using var command = Command(connection, transaction,
                """
                UPDATE jobs SET state = @state, owner = @owner, name = @name, priority = @priority, agent_id = @agent,
                    attempt = @attempt, max_attempts = @max_attempts, created_at = @created_at, updated_at = @updated_at,
                    last_event_seq = @last_event_seq, spec = @spec, status = @status
                WHERE id = @id;
                """);
            BindJob(command, job);
            await command.ExecuteNonQueryAsync(cancellationToken);
            await InsertEventsAsync(connection, transaction, events, cancellationToken);
            return new JobUpdate(job, events) { Registered = registered };
        }, cancellationToken);

    public async Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var before = PageTokens.Decode(query.PageToken);
        var pageSize = query.EffectivePageSize;
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "");
        var where = new List<string>();
        if (before is not null)
        {
            where.Add("created_seq < @before");
            command.Parameters.AddWithValue("before", before.Value);
        }

        if (!string.IsNullOrEmpty(query.Owner))
        {
            where.Add("owner = @owner");
            command.Parameters.AddWithValue("owner", query.Owner);
        }

        if (query.States.Count > 0)
        {
            where.Add(StateFilter(command, query.States));
        }

        command.CommandText =
            $"SELECT created_seq, {JobColumns} FROM jobs {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} " +
            "ORDER BY created_seq DESC LIMIT @limit;";
        command.Parameters.AddWithValue("limit", pageSize + 1);

        var jobs = new List<Job>();
        long lastSeq = 0;
        var more = false;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                if (jobs.Count == pageSize)
                {
                    more = true;
                    break;
                }

                lastSeq = reader.GetInt64(0);
                jobs.Add(ReadJob(reader, 1));
            }
        }

        return new JobPage(jobs, more ? PageTokens.Encode(lastSeq) : "");
    }

    public async Task<IReadOnlyList<Job>> ListJobsByStateAsync(IReadOnlyCollection<JobState> states, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "");
        command.CommandText = $"SELECT {JobColumns} FROM jobs WHERE {StateFilter(command, states)} ORDER BY created_seq;";
        return await ReadJobsAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<Job>> ListActiveJobsOnAgentAsync(string agentId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "");
        command.CommandText =
            $"SELECT {JobColumns} FROM jobs WHERE agent_id = @agent AND {StateFilter(command, JobStates.OnAgent)} ORDER BY created_seq;";
        command.Parameters.AddWithValue("agent", agentId);
        return await ReadJobsAsync(command, cancellationToken);
    }

    public async Task<IReadOnlyList<JobEvent>> ReadEventsAsync(string jobId, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT payload FROM job_events WHERE job_id = @job AND seq > @after ORDER BY seq LIMIT @limit;");
        command.Parameters.AddWithValue("job", jobId);
        command.Parameters.AddWithValue("after", afterSeq);
        command.Parameters.AddWithValue("limit", limit);
        var events = new List<JobEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(JobEvent.Parser.ParseFrom(reader.GetFieldValue<byte[]>(0)));
        }

        return events;
    }

    private static List<JobEvent> Number(Job job, IReadOnlyList<JobEvent> events, long lastSeq)
    {
        var numbered = new List<JobEvent>(events.Count);
        foreach (var e in events)
        {
            var copy = e.Clone();
            copy.JobId = job.Id;
            copy.Seq = ++lastSeq;
            numbered.Add(copy);
        }

        job.LastEventSeq = lastSeq;
        return numbered;
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
            insert.Parameters.Add(new NpgsqlParameter { Value = e.JobId });
            insert.Parameters.Add(new NpgsqlParameter { Value = e.Seq });
            insert.Parameters.Add(new NpgsqlParameter { Value = e.Time?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0 });
            insert.Parameters.Add(new NpgsqlParameter { Value = (int)e.PayloadCase });
            insert.Parameters.Add(new NpgsqlParameter { Value = e.ToByteArray() });
            batch.BatchCommands.Add(insert);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private void BindJob(NpgsqlCommand command, Job job)
    {
        var status = job.Clone();
        status.Spec = null;
        var spec = job.Spec ?? new JobSpec();
        command.Parameters.AddWithValue("id", job.Id);
        command.Parameters.AddWithValue("state", (int)job.State);
        command.Parameters.AddWithValue("owner", spec.Owner);
        command.Parameters.AddWithValue("name", spec.Name);
        command.Parameters.AddWithValue("priority", spec.Priority);
        AddTextOrNull(command, "agent", job.AgentId);
        command.Parameters.AddWithValue("attempt", job.Attempt);
        command.Parameters.AddWithValue("max_attempts", job.MaxAttempts);
        command.Parameters.AddWithValue("created_at", job.CreatedAt?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0);
        command.Parameters.AddWithValue("updated_at", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("last_event_seq", job.LastEventSeq);
        command.Parameters.AddWithValue("spec", spec.ToByteArray());
        command.Parameters.AddWithValue("status", status.ToByteArray());
    }

    private static async Task<Job?> ReadJobAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string jobId, bool lockRow, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction,
            $"SELECT {JobColumns} FROM jobs WHERE id = @id{(lockRow ? " FOR UPDATE" : "")};");
        command.Parameters.AddWithValue("id", jobId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadJob(reader, 0) : null;
    }

    private static async Task<IReadOnlyList<Job>> ReadJobsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var jobs = new List<Job>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(ReadJob(reader, 0));
        }

        return jobs;
    }

    private static Job ReadJob(NpgsqlDataReader reader, int first)
    {
        var job = Job.Parser.ParseFrom(reader.GetFieldValue<byte[]>(first + 1));
        job.Spec = JobSpec.Parser.ParseFrom(reader.GetFieldValue<byte[]>(first));
        return job;
    }

    /// <summary>Binds the states as one array parameter and returns the <c>state = ANY (...)</c> clause (false when empty).</summary>
    private static string StateFilter(NpgsqlCommand command, IReadOnlyCollection<JobState> states)
    {
        command.Parameters.AddWithValue("states", states.Distinct().Select(s => (int)s).ToArray());
        return "state = ANY (@states)";
    }
}
