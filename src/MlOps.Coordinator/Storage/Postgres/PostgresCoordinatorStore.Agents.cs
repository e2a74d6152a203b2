using Google.Protobuf;
using MlOps.Contracts;

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
            command.Parameters.AddWithValue("id", agent.AgentId);
            command.Parameters.AddWithValue("host", agent.Host);
            command.Parameters.AddWithValue("version", agent.Version);
            command.Parameters.AddWithValue("status", (int)agent.Status);
            command.Parameters.AddWithValue("last_seen", agent.LastSeen.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("capacity", agent.Capacity.ToByteArray());
            command.Parameters.AddWithValue("drained", agent.Drained);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken);

    public async Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null,
            "SELECT agent_id, host, version, status, last_seen, capacity, drained FROM agents ORDER BY agent_id;");
        var agents = new List<AgentRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            agents.Add(new AgentRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                AgentCapacity.Parser.ParseFrom(reader.GetFieldValue<byte[]>(5)),
                (AgentStatus)reader.GetInt32(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)))
            {
                Drained = reader.GetBoolean(6),
            });
        }

        return agents;
    }
}
