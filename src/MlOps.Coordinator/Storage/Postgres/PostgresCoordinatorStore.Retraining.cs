using MlOps.Contracts;

namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>Retraining policies and runs, one row each, the record a protobuf blob (the contract grows without migrations).</summary>
internal sealed partial class PostgresCoordinatorStore : IRetrainingStore
{
    public Task PutRetrainingPolicyAsync(RetrainingPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                """
                INSERT INTO retraining_policies (model, record, updated_at) VALUES (@model, @record, @now)
                ON CONFLICT (model) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at;
                """);
            StoreParameters.Postgres(command).AddRetrainingPolicy(policy, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task<RetrainingPolicy?> GetRetrainingPolicyAsync(string model, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT record FROM retraining_policies WHERE model = @model;");
        command.Parameters.AddWithValue("model", model);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] record ? RetrainingPolicy.Parser.ParseFrom(record) : null;
    }

    public async Task<IReadOnlyList<RetrainingPolicy>> ListRetrainingPoliciesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT record FROM retraining_policies ORDER BY model;");
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadRetrainingPolicy, cancellationToken);
    }

    public Task<bool> DeleteRetrainingPolicyAsync(string model, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, "DELETE FROM retraining_policies WHERE model = @model;");
            command.Parameters.AddWithValue("model", model);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);

    public Task PutRetrainingRunAsync(RetrainingRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                """
                INSERT INTO retraining_runs (id, model, created_at, record) VALUES (@id, @model, @created, @record)
                ON CONFLICT (id) DO UPDATE SET record = excluded.record;
                """);
            StoreParameters.Postgres(command).AddRetrainingRun(run);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public async Task<RetrainingRun?> GetRetrainingRunAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT record FROM retraining_runs WHERE id = @id;");
        command.Parameters.AddWithValue("id", id);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] record ? RetrainingRun.Parser.ParseFrom(record) : null;
    }

    public async Task<IReadOnlyList<RetrainingRun>> ListRetrainingRunsAsync(string? model, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            """
            SELECT record FROM retraining_runs WHERE (@model = '' OR model = @model)
            ORDER BY created_at DESC, id DESC LIMIT @limit;
            """);
        command.Parameters.AddWithValue("model", model ?? "");
        command.Parameters.AddWithValue("limit", Math.Max(1, limit));
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadRetrainingRun, cancellationToken);
    }
}
