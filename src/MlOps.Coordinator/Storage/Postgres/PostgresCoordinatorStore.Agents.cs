namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>Agents: one row each, replaced whole on every save (an upsert, atomic however many coordinators save at once).</summary>
internal sealed partial class PostgresCoordinatorStore
{
    public Task SaveAgentAsync(AgentRecord agent, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            await using var command = Command(connection, transaction,
                """
                INSERT INTO agents (agent_id, host, version, status, last_seen, capacity, drained)
                VALUES (@id, @host, @version, @status, @last_seen, @capacity, @drained)
                ON CONFLICT (agent_id) DO UPDATE SET host = excluded.host, version = excluded.version,
                    status = excluded.status, last_seen = excluded.last_seen, capacity = excluded.capacity,
                    drained = excluded.drained;
                """);
            StoreParameters.Postgres(command).AddAgent(agent);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT agent_id, host, version, status, last_seen, capacity, drained FROM agents ORDER BY agent_id;");
        return await StoreRows.ReadAllAsync(command, StoreRows.ReadAgent, cancellationToken);
    }
}
