using MlOps.Contracts;

namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>Deployments, one row each, the record a protobuf blob (the contract grows without migrations).</summary>
internal sealed partial class PostgresCoordinatorStore : IDeploymentStore
{
    public async Task<Deployment?> GetDeploymentAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT record FROM deployments WHERE name = @name;");
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteScalarAsync(cancellationToken) is byte[] record ? Deployment.Parser.ParseFrom(record) : null;
    }

    public async Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT record FROM deployments ORDER BY name;");
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadDeployment, cancellationToken);
    }

    public Task PutDeploymentAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        return WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                """
                INSERT INTO deployments (name, record, updated_at) VALUES (@name, @record, @now)
                ON CONFLICT (name) DO UPDATE SET record = excluded.record, updated_at = excluded.updated_at;
                """);
            StoreParameters.Postgres(command).AddDeployment(deployment, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);
    }

    public Task<bool> DeleteDeploymentAsync(string name, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction, "DELETE FROM deployments WHERE name = @name;");
            command.Parameters.AddWithValue("name", name);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken);
}
