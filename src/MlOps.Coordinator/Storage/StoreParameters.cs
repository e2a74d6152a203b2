using System.Data;
using System.Data.Common;
using Google.Protobuf;
using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>
/// Records to command parameters, with the same names and values for <see cref="SqliteCoordinatorStore"/> and
/// <see cref="Postgres.PostgresCoordinatorStore"/>; each store keeps its own SQL, which refers to them by name. Names
/// are given bare (<c>id</c>) and spelled the way the driver matches them: Microsoft.Data.Sqlite by the name as the SQL
/// writes it (<c>$id</c>), Npgsql by the bare name for the placeholder <c>@id</c>, and a PostgreSQL batch by position
/// (<c>$1</c>, <c>$2</c>, … in the order the parameters are added).
/// </summary>
internal readonly struct StoreParameters
{
    private readonly DbParameterCollection _parameters;
    private readonly Func<DbParameter> _create;
    private readonly string? _namePrefix;
    private readonly string _marker;

    private StoreParameters(DbParameterCollection parameters, Func<DbParameter> create, string? namePrefix, string marker)
    {
        _parameters = parameters;
        _create = create;
        _namePrefix = namePrefix;
        _marker = marker;
    }

    /// <summary>Parameters of a SQLite command: <c>$name</c> in the SQL and in the parameter's name.</summary>
    public static StoreParameters Sqlite(DbCommand command) => new(command.Parameters, command.CreateParameter, "$", "$");

    /// <summary>Parameters of an Npgsql command: <c>@name</c> in the SQL, the bare name on the parameter.</summary>
    public static StoreParameters Postgres(DbCommand command) => new(command.Parameters, command.CreateParameter, "", "@");

    /// <summary>Parameters of one command in a PostgreSQL batch, which takes them by position only.</summary>
    public static StoreParameters Positional(DbBatchCommand command) => new(command.Parameters, command.CreateParameter, null, "$");

    /// <summary>How the SQL refers to the parameter <paramref name="name"/> (named parameters only).</summary>
    public string Placeholder(string name) => _marker + name;

    public void Add(string name, object value) => _parameters.Add(Create(name, value));

    /// <summary>A text parameter that is NULL for an empty value: optional ids are NULL in the database, never "".</summary>
    public void AddTextOrNull(string name, string? value)
    {
        var parameter = Create(name, string.IsNullOrEmpty(value) ? DBNull.Value : value);
        // Typed, because PostgreSQL cannot infer the type of a NULL where nothing else in the statement says it.
        parameter.DbType = DbType.String;
        _parameters.Add(parameter);
    }

    /// <summary>
    /// A job's columns: <c>id, state, owner, name, priority, agent, attempt, max_attempts, created_at, updated_at,
    /// last_event_seq, spec, status</c>. The spec is stored apart from the rest of the job (the status blob).
    /// </summary>
    public void AddJob(Job job, long updatedAtMs)
    {
        var status = job.Clone();
        status.Spec = null;
        var spec = job.Spec ?? new JobSpec();
        Add("id", job.Id);
        Add("state", (int)job.State);
        Add("owner", spec.Owner);
        Add("name", spec.Name);
        Add("priority", spec.Priority);
        AddTextOrNull("agent", job.AgentId);
        Add("attempt", job.Attempt);
        Add("max_attempts", job.MaxAttempts);
        Add("created_at", job.CreatedAt?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0);
        Add("updated_at", updatedAtMs);
        Add("last_event_seq", job.LastEventSeq);
        Add("spec", spec.ToByteArray());
        Add("status", status.ToByteArray());
    }

    /// <summary>A job event's columns, in table order: <c>job, seq, time, kind, payload</c>.</summary>
    public void AddJobEvent(JobEvent jobEvent)
    {
        Add("job", jobEvent.JobId);
        Add("seq", jobEvent.Seq);
        Add("time", jobEvent.Time?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0);
        Add("kind", (int)jobEvent.PayloadCase);
        Add("payload", jobEvent.ToByteArray());
    }

    /// <summary>An agent's columns: <c>id, host, version, status, last_seen, capacity, drained</c>.</summary>
    public void AddAgent(AgentRecord agent)
    {
        Add("id", agent.AgentId);
        Add("host", agent.Host);
        Add("version", agent.Version);
        Add("status", (int)agent.Status);
        Add("last_seen", agent.LastSeen.ToUnixTimeMilliseconds());
        Add("capacity", agent.Capacity.ToByteArray());
        // A boolean column in PostgreSQL; Microsoft.Data.Sqlite stores it as the integer 0 or 1.
        Add("drained", agent.Drained);
    }

    /// <summary>
    /// A new model version's columns but its number: <c>model, repository, manifest, onnx, onnx_bytes, metrics, lineage,
    /// now, job</c> (the lineage's job id, NULL when it has none).
    /// </summary>
    public void AddModelVersion(ModelVersion draft, long createdAtMs)
    {
        var metrics = new MetricsReport();
        metrics.Values.Add(draft.Metrics);
        Add("model", draft.Model);
        Add("repository", draft.Repository);
        Add("manifest", draft.ManifestDigest);
        Add("onnx", draft.OnnxDigest);
        Add("onnx_bytes", draft.OnnxBytes);
        Add("metrics", metrics.ToByteArray());
        Add("lineage", (draft.Lineage ?? new Lineage()).ToByteArray());
        Add("now", createdAtMs);
        AddTextOrNull("job", draft.Lineage?.JobId);
    }

    /// <summary>
    /// A new dataset version's columns but its number: <c>name, digest, repository, files, format, train, test, now</c>;
    /// the files are a <see cref="DatasetVersion"/> that holds nothing else.
    /// </summary>
    public void AddDatasetVersion(DatasetVersion draft, long createdAtMs)
    {
        var files = new DatasetVersion();
        files.Files.Add(draft.Files);
        Add("name", draft.Name);
        Add("digest", draft.Digest);
        Add("repository", draft.Repository);
        Add("files", files.ToByteArray());
        Add("format", draft.Format);
        Add("train", draft.TrainCount);
        Add("test", draft.TestCount);
        Add("now", createdAtMs);
    }

    /// <summary>A deployment's columns: <c>name, record, now</c>.</summary>
    public void AddDeployment(Deployment deployment, long updatedAtMs)
    {
        Add("name", deployment.Spec.Name);
        Add("record", deployment.ToByteArray());
        Add("now", updatedAtMs);
    }

    public void AddRetrainingPolicy(RetrainingPolicy policy, long updatedAtMs)
    {
        Add("model", policy.Model);
        Add("record", policy.ToByteArray());
        Add("now", updatedAtMs);
    }

    public void AddRetrainingRun(RetrainingRun run)
    {
        Add("id", run.Id);
        Add("model", run.Model);
        Add("created", run.CreatedAt?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0L);
        Add("record", run.ToByteArray());
    }

    public void AddToken(StoredToken token)
    {
        Add("id", token.Token.Id);
        Add("hash", token.SecretHash);
        Add("created", token.Token.CreatedAt?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0L);
        Add("record", token.Token.ToByteArray());
    }

    public void AddAuditRecord(AuditRecord record)
    {
        Add("at", record.At?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0L);
        Add("principal", record.Principal);
        Add("method", record.Method);
        Add("record", record.ToByteArray());
    }

    /// <summary>The filters of an audit query: empty strings and zero for "any".</summary>
    public void AddAuditQuery(AuditQuery query)
    {
        Add("principal", query.Principal ?? "");
        Add("method", (query.Method ?? "").ToLowerInvariant());
        Add("since", query.Since?.ToUnixTimeMilliseconds() ?? 0L);
        Add("before", query.BeforeSequence ?? long.MaxValue);
        Add("limit", Math.Max(1, query.Limit));
    }

    public void AddPipelineRun(PipelineRun run)
    {
        Add("id", run.Id);
        Add("pipeline", run.Pipeline);
        Add("created", run.CreatedAt?.ToDateTimeOffset().ToUnixTimeMilliseconds() ?? 0L);
        Add("record", run.ToByteArray());
    }

    public void AddStepCacheEntry(PipelineStepRun entry, long createdAtMs)
    {
        Add("key", entry.CacheKey);
        Add("record", entry.ToByteArray());
        Add("now", createdAtMs);
    }

    private DbParameter Create(string name, object value)
    {
        var parameter = _create();
        if (_namePrefix is not null)
        {
            parameter.ParameterName = _namePrefix + name;
        }

        parameter.Value = value;
        return parameter;
    }
}
