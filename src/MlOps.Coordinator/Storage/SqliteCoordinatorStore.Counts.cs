using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>Aggregates for the metrics page.</summary>
internal sealed partial class SqliteCoordinatorStore
{
    public Task<IReadOnlyDictionary<JobState, long>> CountJobsByStateAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT state, COUNT(*) FROM jobs GROUP BY state;");
        using var reader = command.ExecuteReader();
        var counts = new Dictionary<JobState, long>();
        while (reader.Read())
        {
            counts[(JobState)reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return Task.FromResult<IReadOnlyDictionary<JobState, long>>(counts);
    }
}
