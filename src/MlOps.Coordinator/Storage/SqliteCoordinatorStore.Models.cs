using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Data.Sqlite;
using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>The model registry: versions (metrics and lineage as protobuf blobs) and aliases over them.</summary>
internal sealed partial class SqliteCoordinatorStore : IRegistryStore
{
    private const string ModelVersionColumns =
        "model, version, repository, manifest_digest, onnx_digest, onnx_bytes, metrics, lineage, created_at";

    public Task<ModelVersion> AddModelVersionAsync(ModelVersion draft, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) => InsertModelVersion(connection, transaction, draft), cancellationToken);

    public Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null,
            """
            SELECT m.name, m.updated_at,
                   (SELECT MAX(version) FROM model_versions v WHERE v.model = m.name),
                   (SELECT COUNT(*) FROM model_versions v WHERE v.model = m.name)
            FROM models m ORDER BY m.name;
            """);
        var models = new List<ModelSummary>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                models.Add(new ModelSummary
                {
                    Name = reader.GetString(0),
                    UpdatedAt = FromUnixMs(reader.GetInt64(1)),
                    LatestVersion = reader.IsDBNull(2) ? 0 : reader.GetInt32(2),
                    VersionCount = reader.GetInt32(3),
                });
            }
        }

        using var aliases = Command(connection, null, "SELECT model, alias, version FROM model_aliases ORDER BY model, alias;");
        using var aliasReader = aliases.ExecuteReader();
        var byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
        while (aliasReader.Read())
        {
            if (byName.TryGetValue(aliasReader.GetString(0), out var model))
            {
                model.Aliases[aliasReader.GetString(1)] = aliasReader.GetInt32(2);
            }
        }

        return Task.FromResult<IReadOnlyList<ModelSummary>>(models);
    }

    public Task<IReadOnlyList<ModelVersion>?> ListModelVersionsAsync(string model, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var exists = Command(connection, null, "SELECT COUNT(*) FROM models WHERE name = $model;");
        exists.Parameters.AddWithValue("$model", model);
        if (Convert.ToInt64(exists.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return Task.FromResult<IReadOnlyList<ModelVersion>?>(null);
        }

        using var command = Command(connection, null, $"SELECT {ModelVersionColumns} FROM model_versions WHERE model = $model ORDER BY version;");
        command.Parameters.AddWithValue("$model", model);
        var versions = ReadModelVersions(command);
        AddAliases(connection, null, model, versions);
        return Task.FromResult<IReadOnlyList<ModelVersion>?>(versions);
    }

    public Task<ModelVersion?> GetModelVersionAsync(string model, int version, CancellationToken cancellationToken)
    {
        using var connection = Open();
        return Task.FromResult(ReadModelVersion(connection, null, model, version));
    }

    public Task<ModelVersion?> GetModelVersionByAliasAsync(string model, string alias, CancellationToken cancellationToken)
    {
        using var connection = Open();
        var version = ReadAlias(connection, null, model, alias);
        return Task.FromResult(version is null ? null : ReadModelVersion(connection, null, model, version.Value));
    }

    public Task<ModelVersion?> SetAliasAsync(string model, string alias, int version, CancellationToken cancellationToken) =>
        WriteAsync<ModelVersion?>((connection, transaction) =>
        {
            if (ReadModelVersion(connection, transaction, model, version) is null)
            {
                return null;
            }

            var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            using var command = Command(connection, transaction,
                """
                INSERT INTO model_aliases (model, alias, version, updated_at) VALUES ($model, $alias, $version, $now)
                ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at;
                UPDATE models SET updated_at = $now WHERE name = $model;
                """);
            command.Parameters.AddWithValue("$model", model);
            command.Parameters.AddWithValue("$alias", alias);
            command.Parameters.AddWithValue("$version", version);
            command.Parameters.AddWithValue("$now", now);
            command.ExecuteNonQuery();
            return ReadModelVersion(connection, transaction, model, version);
        }, cancellationToken);

    public Task<bool> DeleteAliasAsync(string model, string alias, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction, "DELETE FROM model_aliases WHERE model = $model AND alias = $alias;");
            command.Parameters.AddWithValue("$model", model);
            command.Parameters.AddWithValue("$alias", alias);
            if (command.ExecuteNonQuery() == 0)
            {
                return false;
            }

            using var touch = Command(connection, transaction, "UPDATE models SET updated_at = $now WHERE name = $model;");
            touch.Parameters.AddWithValue("$model", model);
            touch.Parameters.AddWithValue("$now", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            touch.ExecuteNonQuery();
            return true;
        }, cancellationToken);

    /// <summary>Inserts the model's next version inside the caller's transaction (idempotent per job id).</summary>
    private ModelVersion InsertModelVersion(SqliteConnection connection, SqliteTransaction transaction, ModelVersion draft)
    {
        var jobId = draft.Lineage?.JobId ?? "";
        if (!string.IsNullOrEmpty(jobId))
        {
            using var existing = Command(connection, transaction, $"SELECT {ModelVersionColumns} FROM model_versions WHERE job_id = $job;");
            existing.Parameters.AddWithValue("$job", jobId);
            if (ReadModelVersions(existing) is [var registered])
            {
                AddAliases(connection, transaction, registered.Model, [registered]);
                return registered;
            }
        }

        var now = _timeProvider.GetUtcNow();
        using (var model = Command(connection, transaction,
            """
            INSERT INTO models (name, created_at, updated_at) VALUES ($model, $now, $now)
            ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at;
            """))
        {
            model.Parameters.AddWithValue("$model", draft.Model);
            model.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
            model.ExecuteNonQuery();
        }

        using var command = Command(connection, transaction,
            """
            INSERT INTO model_versions (model, version, repository, manifest_digest, onnx_digest, onnx_bytes, metrics, lineage, created_at, job_id)
            VALUES ($model, (SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model = $model), $repository, $manifest,
                    $onnx, $onnx_bytes, $metrics, $lineage, $now, $job)
            RETURNING version;
            """);
        var metrics = new MetricsReport();
        metrics.Values.Add(draft.Metrics);
        command.Parameters.AddWithValue("$model", draft.Model);
        command.Parameters.AddWithValue("$repository", draft.Repository);
        command.Parameters.AddWithValue("$manifest", draft.ManifestDigest);
        command.Parameters.AddWithValue("$onnx", draft.OnnxDigest);
        command.Parameters.AddWithValue("$onnx_bytes", draft.OnnxBytes);
        command.Parameters.AddWithValue("$metrics", metrics.ToByteArray());
        command.Parameters.AddWithValue("$lineage", (draft.Lineage ?? new Lineage()).ToByteArray());
        command.Parameters.AddWithValue("$now", now.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$job", string.IsNullOrEmpty(jobId) ? DBNull.Value : jobId);
        var version = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);

        var stored = draft.Clone();
        stored.Version = version;
        stored.CreatedAt = FromUnixMs(now.ToUnixTimeMilliseconds());
        stored.Aliases.Clear();
        return stored;
    }

    private static ModelVersion? ReadModelVersion(SqliteConnection connection, SqliteTransaction? transaction, string model, int version)
    {
        using var command = Command(connection, transaction, $"SELECT {ModelVersionColumns} FROM model_versions WHERE model = $model AND version = $version;");
        command.Parameters.AddWithValue("$model", model);
        command.Parameters.AddWithValue("$version", version);
        var versions = ReadModelVersions(command);
        AddAliases(connection, transaction, model, versions);
        return versions.FirstOrDefault();
    }

    private static int? ReadAlias(SqliteConnection connection, SqliteTransaction? transaction, string model, string alias)
    {
        using var command = Command(connection, transaction, "SELECT version FROM model_aliases WHERE model = $model AND alias = $alias;");
        command.Parameters.AddWithValue("$model", model);
        command.Parameters.AddWithValue("$alias", alias);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? null : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static List<ModelVersion> ReadModelVersions(SqliteCommand command)
    {
        var versions = new List<ModelVersion>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var version = new ModelVersion
            {
                Model = reader.GetString(0),
                Version = reader.GetInt32(1),
                Repository = reader.GetString(2),
                ManifestDigest = reader.GetString(3),
                OnnxDigest = reader.GetString(4),
                OnnxBytes = reader.GetInt64(5),
                Lineage = Lineage.Parser.ParseFrom((byte[])reader[7]),
                CreatedAt = FromUnixMs(reader.GetInt64(8)),
            };
            version.Metrics.Add(MetricsReport.Parser.ParseFrom((byte[])reader[6]).Values);
            versions.Add(version);
        }

        return versions;
    }

    private static void AddAliases(SqliteConnection connection, SqliteTransaction? transaction, string model, IReadOnlyList<ModelVersion> versions)
    {
        if (versions.Count == 0)
        {
            return;
        }

        using var command = Command(connection, transaction, "SELECT alias, version FROM model_aliases WHERE model = $model ORDER BY alias;");
        command.Parameters.AddWithValue("$model", model);
        using var reader = command.ExecuteReader();
        var byVersion = versions.ToDictionary(v => v.Version);
        while (reader.Read())
        {
            if (byVersion.TryGetValue(reader.GetInt32(1), out var version))
            {
                version.Aliases.Add(reader.GetString(0));
            }
        }
    }

    private static Timestamp FromUnixMs(long milliseconds) => Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(milliseconds));
}
