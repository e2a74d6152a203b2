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
        var models = StoreRows.ReadAll(command, StoreRows.ReadModelSummary);
        using var aliases = Command(connection, null, "SELECT model, alias, version FROM model_aliases ORDER BY model, alias;");
        StoreRows.AddAliases(models, StoreRows.ReadAll(aliases, StoreRows.ReadAliasRow));
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
        var versions = StoreRows.ReadAll(command, StoreRows.ReadModelVersion);
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
            if (StoreRows.ReadAll(existing, StoreRows.ReadModelVersion) is [var registered])
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
        StoreParameters.Sqlite(command).AddModelVersion(draft, now.ToUnixTimeMilliseconds());
        var version = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        return StoreRows.Inserted(draft, version, now.ToUnixTimeMilliseconds());
    }

    private static ModelVersion? ReadModelVersion(SqliteConnection connection, SqliteTransaction? transaction, string model, int version)
    {
        using var command = Command(connection, transaction, $"SELECT {ModelVersionColumns} FROM model_versions WHERE model = $model AND version = $version;");
        command.Parameters.AddWithValue("$model", model);
        command.Parameters.AddWithValue("$version", version);
        var versions = StoreRows.ReadAll(command, StoreRows.ReadModelVersion);
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

    private static void AddAliases(SqliteConnection connection, SqliteTransaction? transaction, string model, IReadOnlyList<ModelVersion> versions)
    {
        if (versions.Count == 0)
        {
            return;
        }

        using var command = Command(connection, transaction, "SELECT model, alias, version FROM model_aliases WHERE model = $model ORDER BY alias;");
        command.Parameters.AddWithValue("$model", model);
        StoreRows.AddAliases(versions, StoreRows.ReadAll(command, StoreRows.ReadAliasRow));
    }
}
