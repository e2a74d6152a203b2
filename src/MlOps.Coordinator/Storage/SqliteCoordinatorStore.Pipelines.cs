using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>Pipeline runs and step cache entries, one row each, the record a protobuf blob (the contract grows without migrations).</summary>
internal sealed partial class SqliteCoordinatorStore : IPipelineStore
{
    public Task PutPipelineRunAsync(PipelineRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                """
                INSERT INTO pipeline_runs (id, pipeline, created_at, record) VALUES ($id, $pipeline, $created, $record)
                ON CONFLICT (id) DO UPDATE SET record = excluded.record;
                """);
            StoreParameters.Sqlite(command).AddPipelineRun(run);
            command.ExecuteNonQuery();
            return true;
        }, cancellationToken);
    }

    public Task<PipelineRun?> GetPipelineRunAsync(string id, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT record FROM pipeline_runs WHERE id = $id;");
        command.Parameters.AddWithValue("$id", id);
        return Task.FromResult(command.ExecuteScalar() is byte[] record ? PipelineRun.Parser.ParseFrom(record) : null);
    }

    public Task<IReadOnlyList<PipelineRun>> ListPipelineRunsAsync(string? pipeline, int limit, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null,
            """
            SELECT record FROM pipeline_runs WHERE ($pipeline = '' OR pipeline = $pipeline)
            ORDER BY created_at DESC, id DESC LIMIT $limit;
            """);
        command.Parameters.AddWithValue("$pipeline", pipeline ?? "");
        command.Parameters.AddWithValue("$limit", Math.Max(1, limit));
        return Task.FromResult<IReadOnlyList<PipelineRun>>(StoreRows.ReadAll(command, StoreRows.ReadPipelineRun));
    }

    public Task PutStepCacheEntryAsync(PipelineStepRun entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.CacheKey);
        return WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                """
                INSERT INTO pipeline_step_cache (cache_key, record, created_at) VALUES ($key, $record, $now)
                ON CONFLICT (cache_key) DO UPDATE SET record = excluded.record, created_at = excluded.created_at;
                """);
            StoreParameters.Sqlite(command).AddStepCacheEntry(entry, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            return true;
        }, cancellationToken);
    }

    public Task<PipelineStepRun?> GetStepCacheEntryAsync(string cacheKey, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT record FROM pipeline_step_cache WHERE cache_key = $key;");
        command.Parameters.AddWithValue("$key", cacheKey);
        return Task.FromResult(command.ExecuteScalar() is byte[] record ? PipelineStepRun.Parser.ParseFrom(record) : null);
    }
}
