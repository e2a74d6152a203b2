using MlOps.Contracts;

namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>Aggregates for the metrics page.</summary>
internal sealed partial class PostgresCoordinatorStore
{
    public async Task<IReadOnlyDictionary<JobState, long>> CountJobsByStateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, "SELECT state, COUNT(*) FROM jobs GROUP BY state;");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var counts = new Dictionary<JobState, long>();
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[(JobState)reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return counts;
    }
}
