using System.Data.Common;
using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>
/// Rows to records, the same for <see cref="SqliteCoordinatorStore"/> and
/// <see cref="Postgres.PostgresCoordinatorStore"/>: both keep the same columns (times as Unix milliseconds, protobuf
/// messages as blobs), so only the SQL that selects them differs. Each reader takes the columns in the order of the
/// store's column list for that table.
/// </summary>
internal static class StoreRows
{
    /// <summary>Every row of <paramref name="command"/>'s result, read with <paramref name="read"/>.</summary>
    public static List<T> ReadAll<T>(DbCommand command, Func<DbDataReader, T> read)
    {
        var rows = new List<T>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary><see cref="ReadAll{T}"/> for the stores whose driver does real asynchronous I/O.</summary>
    public static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>A job from its <c>spec, status</c> columns, starting at <paramref name="first"/>.</summary>
    public static Job ReadJob(DbDataReader reader, int first)
    {
        var job = Job.Parser.ParseFrom(Blob(reader, first + 1));
        job.Spec = JobSpec.Parser.ParseFrom(Blob(reader, first));
        return job;
    }

    /// <summary>A job from its <c>spec, status</c> columns, the first two.</summary>
    public static Job ReadJob(DbDataReader reader) => ReadJob(reader, 0);

    /// <summary>A job event from its <c>payload</c> column.</summary>
    public static JobEvent ReadJobEvent(DbDataReader reader) => JobEvent.Parser.ParseFrom(Blob(reader, 0));

    /// <summary>An agent from <c>agent_id, host, version, status, last_seen, capacity, drained</c>.</summary>
    public static AgentRecord ReadAgent(DbDataReader reader) =>
        new(
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            AgentCapacity.Parser.ParseFrom(Blob(reader, 5)),
            (AgentStatus)reader.GetInt32(3),
            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)))
        {
            // A boolean in PostgreSQL, an integer 0 or 1 in SQLite: GetBoolean reads either.
            Drained = reader.GetBoolean(6),
        };

    /// <summary>A model version, without its aliases, from
    /// <c>model, version, repository, manifest_digest, onnx_digest, onnx_bytes, metrics, lineage, created_at</c>.</summary>
    public static ModelVersion ReadModelVersion(DbDataReader reader)
    {
        var version = new ModelVersion
        {
            Model = reader.GetString(0),
            Version = reader.GetInt32(1),
            Repository = reader.GetString(2),
            ManifestDigest = reader.GetString(3),
            OnnxDigest = reader.GetString(4),
            OnnxBytes = reader.GetInt64(5),
            Lineage = Lineage.Parser.ParseFrom(Blob(reader, 7)),
            CreatedAt = FromUnixMs(reader.GetInt64(8)),
        };
        version.Metrics.Add(MetricsReport.Parser.ParseFrom(Blob(reader, 6)).Values);
        return version;
    }

    /// <summary>A model, without its aliases, from <c>name, updated_at, latest version (null when none), version count</c>.</summary>
    public static ModelSummary ReadModelSummary(DbDataReader reader) => new()
    {
        Name = reader.GetString(0),
        UpdatedAt = FromUnixMs(reader.GetInt64(1)),
        LatestVersion = reader.IsDBNull(2) ? 0 : reader.GetInt32(2),
        VersionCount = reader.GetInt32(3),
    };

    /// <summary>An alias from <c>model, alias, version</c>.</summary>
    public static (string Model, string Alias, int Version) ReadAliasRow(DbDataReader reader) =>
        (reader.GetString(0), reader.GetString(1), reader.GetInt32(2));

    /// <summary>Puts each alias on its model's summary (aliases of models not listed are passed over).</summary>
    public static void AddAliases(IReadOnlyList<ModelSummary> models, IEnumerable<(string Model, string Alias, int Version)> aliases)
    {
        var byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
        foreach (var (name, alias, version) in aliases)
        {
            if (byName.TryGetValue(name, out var model))
            {
                model.Aliases[alias] = version;
            }
        }
    }

    /// <summary>Puts each alias of one model on the version it names (aliases of versions not listed are passed over).</summary>
    public static void AddAliases(IReadOnlyList<ModelVersion> versions, IEnumerable<(string Model, string Alias, int Version)> aliases)
    {
        var byVersion = versions.ToDictionary(v => v.Version);
        foreach (var (_, alias, number) in aliases)
        {
            if (byVersion.TryGetValue(number, out var version))
            {
                version.Aliases.Add(alias);
            }
        }
    }

    /// <summary>A dataset version from
    /// <c>name, version, digest, repository, files, format, train_count, test_count, created_at</c>.</summary>
    public static DatasetVersion ReadDatasetVersion(DbDataReader reader)
    {
        var version = new DatasetVersion
        {
            Name = reader.GetString(0),
            Version = reader.GetInt32(1),
            Digest = reader.GetString(2),
            Repository = reader.GetString(3),
            Format = reader.GetString(5),
            TrainCount = reader.GetInt64(6),
            TestCount = reader.GetInt64(7),
            CreatedAt = FromUnixMs(reader.GetInt64(8)),
        };
        version.Files.Add(DatasetVersion.Parser.ParseFrom(Blob(reader, 4)).Files);
        return version;
    }

    /// <summary>A deployment from its <c>record</c> column.</summary>
    public static Deployment ReadDeployment(DbDataReader reader) => Deployment.Parser.ParseFrom(Blob(reader, 0));

    public static RetrainingPolicy ReadRetrainingPolicy(DbDataReader reader) => RetrainingPolicy.Parser.ParseFrom(Blob(reader, 0));

    public static RetrainingRun ReadRetrainingRun(DbDataReader reader) => RetrainingRun.Parser.ParseFrom(Blob(reader, 0));

    /// <summary>A token from its <c>record, secret_hash</c> columns.</summary>
    public static StoredToken ReadToken(DbDataReader reader) => new(ApiToken.Parser.ParseFrom(Blob(reader, 0)), Blob(reader, 1));

    /// <summary>An audit record from its <c>sequence, record</c> columns (the sequence is the row's, not the blob's).</summary>
    public static AuditRecord ReadAuditRecord(DbDataReader reader)
    {
        var record = AuditRecord.Parser.ParseFrom(Blob(reader, 1));
        record.Sequence = reader.GetInt64(0);
        return record;
    }

    public static PipelineRun ReadPipelineRun(DbDataReader reader) => PipelineRun.Parser.ParseFrom(Blob(reader, 0));

    /// <summary>The model version as stored by an insert: numbered, dated, and with no aliases yet.</summary>
    public static ModelVersion Inserted(ModelVersion draft, int version, long createdAtMs)
    {
        var stored = draft.Clone();
        stored.Version = version;
        stored.CreatedAt = FromUnixMs(createdAtMs);
        stored.Aliases.Clear();
        return stored;
    }

    /// <summary>The dataset version as stored by an insert: numbered and dated.</summary>
    public static DatasetVersion Inserted(DatasetVersion draft, int version, long createdAtMs)
    {
        var stored = draft.Clone();
        stored.Version = version;
        stored.CreatedAt = FromUnixMs(createdAtMs);
        return stored;
    }

    public static Timestamp FromUnixMs(long milliseconds) => Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds));

    private static byte[] Blob(DbDataReader reader, int ordinal) => reader.GetFieldValue<byte[]>(ordinal);
}
