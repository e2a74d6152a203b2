using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>Deployments, one row each, the record a protobuf blob (the contract grows without migrations).</summary>
internal sealed partial class SqliteCoordinatorStore : IDeploymentStore
{
    public Task<Deployment?> GetDeploymentAsync(string name, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT record FROM deployments WHERE name = $name;");
        command.Parameters.AddWithValue("$name", name);
        return Task.FromResult(command.ExecuteScalar() is byte[] record ? Deployment.Parser.ParseFrom(record) : null);
    }

    public Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT record FROM deployments ORDER BY name;");
        return Task.FromResult<IReadOnlyList<Deployment>>(StoreRows.ReadAll(command, StoreRows.ReadDeployment));
    }

    public Task PutDeploymentAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                """
                INSERT INTO deployments (name, record, updated_at) VALUES ($name, $record, $now)
                ON CONFLICT (name) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at;
                """);
            StoreParameters.Sqlite(command).AddDeployment(deployment, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            return true;
        }, cancellationToken);
    }

    public Task<bool> DeleteDeploymentAsync(string name, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction, "DELETE FROM deployments WHERE name = $name;");
            command.Parameters.AddWithValue("$name", name);
            return command.ExecuteNonQuery() > 0;
        }, cancellationToken);
}
