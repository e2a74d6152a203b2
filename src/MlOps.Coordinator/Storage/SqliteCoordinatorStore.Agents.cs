using Google.Protobuf;
using MlOps.Contracts;

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
            command.Parameters.AddWithValue("$id", agent.AgentId);
            command.Parameters.AddWithValue("$host", agent.Host);
            command.Parameters.AddWithValue("$version", agent.Version);
            command.Parameters.AddWithValue("$status", (int)agent.Status);
            command.Parameters.AddWithValue("$last_seen", agent.LastSeen.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$capacity", agent.Capacity.ToByteArray());
            command.Parameters.AddWithValue("$drained", agent.Drained ? 1 : 0);
            return command.ExecuteNonQuery();
        }, cancellationToken);

    public Task<IReadOnlyList<AgentRecord>> ListAgentsAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null,
            "SELECT agent_id, host, version, status, last_seen, capacity, drained FROM agents ORDER BY agent_id;");
        var agents = new List<AgentRecord>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            agents.Add(new AgentRecord(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                AgentCapacity.Parser.ParseFrom((byte[])reader[5]),
                (AgentStatus)reader.GetInt32(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)))
            {
                Drained = reader.GetInt64(6) != 0,
            });
        }

        return Task.FromResult<IReadOnlyList<AgentRecord>>(agents);
    }
}
