using Google.Protobuf;
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
            var events = Number(job, creation.Events, 0);
            using var command = Command(connection, transaction,
                """
                INSERT INTO jobs (id, created_seq, state, owner, name, priority, agent_id, attempt, max_attempts,
                                  created_at, updated_at, last_event_seq, spec, status)
                VALUES ($id, (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM jobs), $state, $owner, $name, $priority,
                        $agent, $attempt, $max_attempts, $created_at, $updated_at, $last_event_seq, $spec, $status);
                """);
            BindJob(command, job);
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
                registered = InsertModelVersion(connection, transaction, draft);
                job.Result ??= new JobResult();
                job.Result.ModelVersion = registered.Version;
                var time = (proposed.Count > 0 ? proposed[^1].Time : null) ?? Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(_timeProvider.GetUtcNow());
                var announcement = JobTransitions.Registered(registered, time);

                // Before the final state change: watchers stop at a terminal state, and must have seen it by then.
                proposed = proposed.Count > 0 && proposed[^1].PayloadCase == JobEvent.PayloadOneofCase.StateChange
                    ? [.. proposed.Take(proposed.Count - 1), announcement, proposed[^1]]
                    : [.. proposed, announcement];
            }

            var events = Number(job, proposed, current.LastEventSeq);
            using var command = Command(connection, transaction,
                """
                UPDATE jobs SET state = $state, owner = $owner, name = $name, priority = $priority, agent_id = $agent,
                    attempt = $attempt, max_attempts = $max_attempts, created_at = $created_at, updated_at = $updated_at,
                    last_event_seq = $last_event_seq, spec = $spec, status = $status
                WHERE id = $id;
                """);
            BindJob(command, job);
            command.ExecuteNonQuery();
            InsertEvents(connection, transaction, events);
            return new JobUpdate(job, events) { Registered = registered };
        }, cancellationToken);

    public Task<JobPage> ListJobsAsync(JobQuery query, CancellationToken cancellationToken)
    {
        var before = PageTokens.Decode(query.PageToken);
        var pageSize = query.EffectivePageSize;
        using var connection = Open();
        using var command = Command(connection, null, "");
        var where = new List<string>();
        if (before is not null)
        {
            where.Add("created_seq < $before");
            command.Parameters.AddWithValue("$before", before.Value);
        }

        if (!string.IsNullOrEmpty(query.Owner))
        {
            where.Add("owner = $owner");
            command.Parameters.AddWithValue("$owner", query.Owner);
        }

        if (query.States.Count > 0)
        {
            where.Add(StateFilter(command, query.States));
        }

        command.CommandText =
            $"SELECT created_seq, {JobColumns} FROM jobs {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")} " +
            "ORDER BY created_seq DESC LIMIT $limit;";
        command.Parameters.AddWithValue("$limit", pageSize + 1);

        var jobs = new List<Job>();
        long lastSeq = 0;
        var more = false;
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
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

        return Task.FromResult(new JobPage(jobs, more ? PageTokens.Encode(lastSeq) : ""));
    }

    public Task<IReadOnlyList<Job>> ListJobsByStateAsync(IReadOnlyCollection<JobState> states, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "");
        command.CommandText = $"SELECT {JobColumns} FROM jobs WHERE {StateFilter(command, states)} ORDER BY created_seq;";
        return Task.FromResult(ReadJobs(command));
    }

    public Task<IReadOnlyList<Job>> ListActiveJobsOnAgentAsync(string agentId, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "");
        command.CommandText =
            $"SELECT {JobColumns} FROM jobs WHERE agent_id = $agent AND {StateFilter(command, JobStates.OnAgent)} ORDER BY created_seq;";
        command.Parameters.AddWithValue("$agent", agentId);
        return Task.FromResult(ReadJobs(command));
    }

    public Task<IReadOnlyList<JobEvent>> ReadEventsAsync(string jobId, long afterSeq, int limit, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null,
            "SELECT payload FROM job_events WHERE job_id = $job AND seq > $after ORDER BY seq LIMIT $limit;");
        command.Parameters.AddWithValue("$job", jobId);
        command.Parameters.AddWithValue("$after", afterSeq);
        command.Parameters.AddWithValue("$limit", limit);
        var events = new List<JobEvent>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            events.Add(JobEvent.Parser.ParseFrom((byte[])reader[0]));
        }

        return Task.FromResult<IReadOnlyList<JobEvent>>(events);
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

    private static void InsertEvents(SqliteConnection connection, SqliteTransaction transaction, List<JobEvent> events)
    {
        foreach (var e in events)
        {
            using var command = Command(connection, transaction,
                "INSERT INTO job_events (job_id, seq, time, kind, payload) VALUES ($job, $seq, $time, $kind, $payload);");
            command.Parameters.AddWithValue("$job", e.JobId);
            command.Parameters.AddWithValue("$seq", e.Seq);
            command.Parameters.AddWithValue("$time", e.Time?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0);
            command.Parameters.AddWithValue("$kind", (int)e.PayloadCase);
            command.Parameters.AddWithValue("$payload", e.ToByteArray());
            command.ExecuteNonQuery();
        }
    }

    private void BindJob(SqliteCommand command, Job job)
    {
        var status = job.Clone();
        status.Spec = null;
        var spec = job.Spec ?? new JobSpec();
        command.Parameters.AddWithValue("$id", job.Id);
        command.Parameters.AddWithValue("$state", (int)job.State);
        command.Parameters.AddWithValue("$owner", spec.Owner);
        command.Parameters.AddWithValue("$name", spec.Name);
        command.Parameters.AddWithValue("$priority", spec.Priority);
        command.Parameters.AddWithValue("$agent", string.IsNullOrEmpty(job.AgentId) ? DBNull.Value : job.AgentId);
        command.Parameters.AddWithValue("$attempt", job.Attempt);
        command.Parameters.AddWithValue("$max_attempts", job.MaxAttempts);
        command.Parameters.AddWithValue("$created_at", job.CreatedAt?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0);
        command.Parameters.AddWithValue("$updated_at", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$last_event_seq", job.LastEventSeq);
        command.Parameters.AddWithValue("$spec", spec.ToByteArray());
        command.Parameters.AddWithValue("$status", status.ToByteArray());
    }

    private static Job? ReadJob(SqliteConnection connection, SqliteTransaction? transaction, string jobId)
    {
        using var command = Command(connection, transaction, $"SELECT {JobColumns} FROM jobs WHERE id = $id;");
        command.Parameters.AddWithValue("$id", jobId);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadJob(reader, 0) : null;
    }

    private static IReadOnlyList<Job> ReadJobs(SqliteCommand command)
    {
        var jobs = new List<Job>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            jobs.Add(ReadJob(reader, 0));
        }

        return jobs;
    }

    private static Job ReadJob(SqliteDataReader reader, int first)
    {
        var job = Job.Parser.ParseFrom((byte[])reader[first + 1]);
        job.Spec = JobSpec.Parser.ParseFrom((byte[])reader[first]);
        return job;
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
