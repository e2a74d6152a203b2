using MlOps.Contracts;
using Npgsql;

namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>The model registry: versions (metrics and lineage as protobuf blobs) and aliases over them.</summary>
internal sealed partial class PostgresCoordinatorStore : IRegistryStore
{
    private const string ModelVersionColumns =
        "model, version, repository, manifest_digest, onnx_digest, onnx_bytes, metrics, lineage, created_at";

    public Task<ModelVersion> AddModelVersionAsync(ModelVersion draft, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) => InsertModelVersionAsync(connection, transaction, draft, cancellationToken), cancellationToken);

    public Task<IReadOnlyList<ModelSummary>> ListModelsAsync(CancellationToken cancellationToken) =>
        SnapshotAsync<IReadOnlyList<ModelSummary>>(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                """
                SELECT m.name, m.updated_at,
                       (SELECT MAX(version) FROM model_versions v WHERE v.model = m.name),
                       (SELECT COUNT(*)::integer FROM model_versions v WHERE v.model = m.name)
                FROM models m ORDER BY m.name;
                """);
            var models = await StoreRows.ReadAllAsync(command, StoreRows.ReadModelSummary, cancellationToken);
            await using var aliases = Command(connection, transaction, "SELECT model, alias, version FROM model_aliases ORDER BY model, alias;");
            StoreRows.AddAliases(models, await StoreRows.ReadAllAsync(aliases, StoreRows.ReadAliasRow, cancellationToken));
            return models;
        }, cancellationToken);

    public Task<IReadOnlyList<ModelVersion>?> ListModelVersionsAsync(string model, CancellationToken cancellationToken) =>
        SnapshotAsync<IReadOnlyList<ModelVersion>?>(async (connection, transaction) =>
        {
            await using var exists = Command(connection, transaction, "SELECT EXISTS (SELECT 1 FROM models WHERE name = @model);");
            exists.Parameters.AddWithValue("model", model);
            if (!(bool)(await exists.ExecuteScalarAsync(cancellationToken))!)
            {
                return null;
            }

            await using var command = Command(connection, transaction, $"SELECT {ModelVersionColumns} FROM model_versions WHERE model = @model ORDER BY version;");
            command.Parameters.AddWithValue("model", model);
            var versions = await StoreRows.ReadAllAsync(command, StoreRows.ReadModelVersion, cancellationToken);
            await AddAliasesAsync(connection, transaction, model, versions, cancellationToken);
            return versions;
        }, cancellationToken);

    public Task<ModelVersion?> GetModelVersionAsync(string model, int version, CancellationToken cancellationToken) =>
        SnapshotAsync((connection, transaction) => ReadModelVersionAsync(connection, transaction, model, version, cancellationToken), cancellationToken);

    public Task<ModelVersion?> GetModelVersionByAliasAsync(string model, string alias, CancellationToken cancellationToken) =>
        SnapshotAsync(async (connection, transaction) =>
        {
            var version = await ReadAliasAsync(connection, transaction, model, alias, cancellationToken);
            return version is null ? null : await ReadModelVersionAsync(connection, transaction, model, version.Value, cancellationToken);
        }, cancellationToken);

    public Task<ModelVersion?> SetAliasAsync(string model, string alias, int version, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            // Versions are never deleted, so one that exists now still exists at commit (the foreign key checks it too).
            if (await ReadModelVersionAsync(connection, transaction, model, version, cancellationToken) is null)
            {
                return null;
            }

            await using (var command = Command(connection, transaction,
                """
                INSERT INTO model_aliases (model, alias, version, updated_at) VALUES (@model, @alias, @version, @now)
                ON CONFLICT (model, alias) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at;
                """))
            {
                command.Parameters.AddWithValue("model", model);
                command.Parameters.AddWithValue("alias", alias);
                command.Parameters.AddWithValue("version", version);
                command.Parameters.AddWithValue("now", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await TouchModelAsync(connection, transaction, model, cancellationToken);
            return await ReadModelVersionAsync(connection, transaction, model, version, cancellationToken);
        }, cancellationToken);

    public Task<bool> DeleteAliasAsync(string model, string alias, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, "DELETE FROM model_aliases WHERE model = @model AND alias = @alias;");
            command.Parameters.AddWithValue("model", model);
            command.Parameters.AddWithValue("alias", alias);
            if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
            {
                return false;
            }

            await TouchModelAsync(connection, transaction, model, cancellationToken);
            return true;
        }, cancellationToken);

    /// <summary>Inserts the model's next version inside the caller's transaction (idempotent per job id).</summary>
    private async Task<ModelVersion> InsertModelVersionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, ModelVersion draft, CancellationToken cancellationToken)
    {
        var jobId = draft.Lineage?.JobId ?? "";
        if (!string.IsNullOrEmpty(jobId))
        {
            await using var existing = Command(connection, transaction, $"SELECT {ModelVersionColumns} FROM model_versions WHERE job_id = @job;");
            existing.Parameters.AddWithValue("job", jobId);
            if (await StoreRows.ReadAllAsync(existing, StoreRows.ReadModelVersion, cancellationToken) is [var registered])
            {
                await AddAliasesAsync(connection, transaction, registered.Model, [registered], cancellationToken);
                return registered;
            }
        }

        // The upsert locks the model's row until commit: registrations of one model take their numbers one after the
        // other, and the next statement (a new snapshot under READ COMMITTED) sees the number the previous one took.
        var now = _timeProvider.GetUtcNow();
        await using (var model = Command(connection, transaction,
            """
            INSERT INTO models (name, created_at, updated_at) VALUES (@model, @now, @now)
            ON CONFLICT (name) DO UPDATE SET updated_at = excluded.updated_at;
            """))
        {
            model.Parameters.AddWithValue("model", draft.Model);
            model.Parameters.AddWithValue("now", now.ToUnixTimeMilliseconds());
            await model.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = Command(connection, transaction,
            """
            INSERT INTO model_versions (model, version, repository, manifest_digest, onnx_digest, onnx_bytes, metrics, lineage, created_at, job_id)
            VALUES (@model, (SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model = @model), @repository, @manifest,
                    @onnx, @onnx_bytes, @metrics, @lineage, @now, @job)
            RETURNING version;
            """);
        StoreParameters.Postgres(command).AddModelVersion(draft, now.ToUnixTimeMilliseconds());
        var version = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
        return StoreRows.Inserted(draft, version, now.ToUnixTimeMilliseconds());
    }

    private async Task TouchModelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string model, CancellationToken cancellationToken)
    {
        await using var touch = Command(connection, transaction, "UPDATE models SET updated_at = @now WHERE name = @model;");
        touch.Parameters.AddWithValue("model", model);
        touch.Parameters.AddWithValue("now", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        await touch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<ModelVersion?> ReadModelVersionAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string model, int version, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, $"SELECT {ModelVersionColumns} FROM model_versions WHERE model = @model AND version = @version;");
        command.Parameters.AddWithValue("model", model);
        command.Parameters.AddWithValue("version", version);
        var versions = await StoreRows.ReadAllAsync(command, StoreRows.ReadModelVersion, cancellationToken);
        await AddAliasesAsync(connection, transaction, model, versions, cancellationToken);
        return versions.FirstOrDefault();
    }

    private static async Task<int?> ReadAliasAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string model, string alias, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, transaction, "SELECT version FROM model_aliases WHERE model = @model AND alias = @alias;");
        command.Parameters.AddWithValue("model", model);
        command.Parameters.AddWithValue("alias", alias);
        return await command.ExecuteScalarAsync(cancellationToken) is int version ? version : null;
    }

    private static async Task AddAliasesAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string model, IReadOnlyList<ModelVersion> versions, CancellationToken cancellationToken)
    {
        if (versions.Count == 0)
        {
            return;
        }

        await using var command = Command(connection, transaction, "SELECT model, alias, version FROM model_aliases WHERE model = @model ORDER BY alias;");
        command.Parameters.AddWithValue("model", model);
        StoreRows.AddAliases(versions, await StoreRows.ReadAllAsync(command, StoreRows.ReadAliasRow, cancellationToken));
    }
}
