using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>Retraining policies and runs, one row each, the record a protobuf blob (the contract grows without migrations).</summary>
internal sealed partial class SqliteCoordinatorStore : IRetrainingStore
{
    public Task PutRetrainingPolicyAsync(RetrainingPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(policy);
        return WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                """
                INSERT INTO retraining_policies (model, record, updated_at) VALUES ($model, $record, $now)
                ON CONFLICT (model) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at;
                """);
            StoreParameters.Sqlite(command).AddRetrainingPolicy(policy, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            return true;
        }, cancellationToken);
    }

    public Task<RetrainingPolicy?> GetRetrainingPolicyAsync(string model, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT record FROM retraining_policies WHERE model = $model;");
        command.Parameters.AddWithValue("$model", model);
        return Task.FromResult(command.ExecuteScalar() is byte[] record ? RetrainingPolicy.Parser.ParseFrom(record) : null);
    }

    public Task<IReadOnlyList<RetrainingPolicy>> ListRetrainingPoliciesAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT record FROM retraining_policies ORDER BY model;");
        return Task.FromResult<IReadOnlyList<RetrainingPolicy>>(StoreRows.ReadAll(command, StoreRows.ReadRetrainingPolicy));
    }

    public Task<bool> DeleteRetrainingPolicyAsync(string model, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction, "DELETE FROM retraining_policies WHERE model = $model;");
            command.Parameters.AddWithValue("$model", model);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);

    public Task PutRetrainingRunAsync(RetrainingRun run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                """
                INSERT INTO retraining_runs (id, model, created_at, record) VALUES ($id, $model, $created, $record)
                ON CONFLICT (id) DO UPDATE SET record = excluded.record;
                """);
            StoreParameters.Sqlite(command).AddRetrainingRun(run);
            command.ExecuteNonQuery();
            return true;
        }, cancellationToken);
    }

    public Task<RetrainingRun?> GetRetrainingRunAsync(string id, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT record FROM retraining_runs WHERE id = $id;");
        command.Parameters.AddWithValue("$id", id);
        return Task.FromResult(command.ExecuteScalar() is byte[] record ? RetrainingRun.Parser.ParseFrom(record) : null);
    }

    public Task<IReadOnlyList<RetrainingRun>> ListRetrainingRunsAsync(string? model, int limit, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null,
            """
            SELECT record FROM retraining_runs WHERE ($model = '' OR model = $model)
            ORDER BY created_at DESC, id DESC LIMIT $limit;
            """);
        command.Parameters.AddWithValue("$model", model ?? "");
        command.Parameters.AddWithValue("$limit", Math.Max(1, limit));
        return Task.FromResult<IReadOnlyList<RetrainingRun>>(StoreRows.ReadAll(command, StoreRows.ReadRetrainingRun));
    }
}
