namespace MlOps.Coordinator.Storage;

/// <summary>Agents: one row each, replaced whole on every save.</summary>
internal sealed partial class SqliteCoordinatorStore
{
    public Task SaveAgentAsync(AgentRecord agent, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                """
                INSERT INTO agents (agent_id, host, version, status, last_seen, capacity, drained)
                VALUES ($id, $host, $version, $status, $last_seen, $capacity, $drained)
                ON CONFLICT (agent_id) DO UPDATE SET host = excluded.host, version = excluded.version,
                    status = excluded.status, last_seen = excluded.last_seen, capacity = excluded.capacity,
                    drained = excluded.drained;
                """);
            StoreParameters.Sqlite(command).AddAgent(agent);
            return command.ExecuteNonQuery();
        }, cancellationToken);

    public Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null,
            "SELECT agent_id, host, version, status, last_seen, capacity, drained FROM agents ORDER BY agent_id;");
        return Task.FromResult<IReadOnlyList<AgentRecord>>(StoreRows.ReadAll(command, StoreRows.ReadAgent));
    }
}
