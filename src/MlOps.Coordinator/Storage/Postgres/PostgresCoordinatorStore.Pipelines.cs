using MlOps.Contracts;

namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>Pipeline runs and step cache entries, one row each, the record a protobuf blob (the contract grows without migrations).</summary>
internal sealed partial class PostgresCoordinatorStore : IPipelineStore
{
    public Task PutPipelineRunAsync(PipelineRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                """
                INSERT INTO pipeline_runs (id, pipeline, created_at, record) VALUES (@id, @pipeline, @created, @record)
                ON CONFLICT (id) DO UPDATE SET record = excluded.record;
                """);
            StoreParameters.Postgres(command).AddPipelineRun(run);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task<PipelineRun?> GetPipelineRunAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT record FROM pipeline_runs WHERE id = @id;");
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] record ? PipelineRun.Parser.ParseFrom(record) : null;
    }

    public async Task<IReadOnlyList<PipelineRun>> ListPipelineRunsAsync(string? pipeline, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            """
            SELECT record FROM pipeline_runs WHERE (@pipeline = '' OR pipeline = @pipeline)
            ORDER BY created_at DESC, id DESC LIMIT @limit;
            """);
        command.Parameters.AddWithValue("pipeline", pipeline ?? "");
        command.Parameters.AddWithValue("limit", Math.Max(1, limit));
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadPipelineRun, cancellationToken);
    }

    public Task PutStepCacheEntryAsync(PipelineStepRun entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentException.ThrowIfNullOrEmpty(entry.CacheKey);
        return WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                """
                INSERT INTO pipeline_step_cache (cache_key, record, created_at) VALUES (@key, @record, @now)
                ON CONFLICT (cache_key) DO UPDATE SET record = excluded.record, created_at = excluded.created_at;
                """);
            StoreParameters.Postgres(command).AddStepCacheEntry(entry, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task<PipelineStepRun?> GetStepCacheEntryAsync(string cacheKey, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT record FROM pipeline_step_cache WHERE cache_key = @key;");
        command.Parameters.AddWithValue("key", cacheKey);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] record ? PipelineStepRun.Parser.ParseFrom(record) : null;
    }
}
