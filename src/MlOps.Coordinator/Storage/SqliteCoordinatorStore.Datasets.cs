using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>Dataset versions: the file list is a protobuf blob (a <see cref="DatasetVersion"/> holding only files).</summary>
internal sealed partial class SqliteCoordinatorStore
{
    private const string DatasetColumns = "name, version, digest, repository, files, format, train_count, test_count, created_at";

    public Task<(DatasetVersion Version, bool Created)> AddDatasetVersionAsync(DatasetVersion draft, CancellationToken cancellationToken) =>
        WriteAsync((connection, transaction) =>
        {
            using (var existing = Command(connection, transaction, $"SELECT {DatasetColumns} FROM dataset_versions WHERE name = $name AND digest = $digest;"))
            {
                existing.Parameters.AddWithValue("$name", draft.Name);
                existing.Parameters.AddWithValue("$digest", draft.Digest);
                if (StoreRows.ReadAll(existing, StoreRows.ReadDatasetVersion) is [var found])
                {
                    return (found, false);
                }
            }

            var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            using var command = Command(connection, transaction,
                """
                INSERT INTO dataset_versions (name, version, digest, repository, files, format, train_count, test_count, created_at)
                VALUES ($name, (SELECT COALESCE(MAX(version), 0) + 1 FROM dataset_versions WHERE name = $name), $digest, $repository,
                        $files, $format, $train, $test, $now)
                RETURNING version;
                """);
            StoreParameters.Sqlite(command).AddDatasetVersion(draft, now);
            var version = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            return (StoreRows.Inserted(draft, version, now), true);
        }, cancellationToken);

    public Task<IReadOnlyList<DatasetVersion>> ListDatasetVersionsAsync(string? name, CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var command = Command(connection, null, name is null
            ? $"SELECT {DatasetColumns} FROM dataset_versions ORDER BY name, version;"
            : $"SELECT {DatasetColumns} FROM dataset_versions WHERE name = $name ORDER BY version;");
        if (name is not null)
        {
            command.Parameters.AddWithValue("$name", name);
        }

        return Task.FromResult<IReadOnlyList<DatasetVersion>>(StoreRows.ReadAll(command, StoreRows.ReadDatasetVersion));
    }

    public Task<DatasetVersion?> GetDatasetVersionAsync(string name, int version, CancellationToken cancellationToken) =>
        QueryDatasetVersion($"SELECT {DatasetColumns} FROM dataset_versions WHERE name = $name AND version = $version;",
            ("$name", name), ("$version", version));

    public Task<DatasetVersion?> GetLatestDatasetVersionAsync(string name, CancellationToken cancellationToken) =>
        QueryDatasetVersion($"SELECT {DatasetColumns} FROM dataset_versions WHERE name = $name ORDER BY version DESC LIMIT 1;",
            ("$name", name));

    public Task<DatasetVersion?> FindDatasetVersionAsync(string digest, CancellationToken cancellationToken) =>
        QueryDatasetVersion($"SELECT {DatasetColumns} FROM dataset_versions WHERE digest = $digest ORDER BY created_at, name LIMIT 1;",
            ("$digest", digest));

    private Task<DatasetVersion?> QueryDatasetVersion(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = Open();
        using var command = Command(connection, null, sql);
        foreach (var (parameter, value) in parameters)
        {
            command.Parameters.AddWithValue(parameter, value);
        }

        return Task.FromResult(StoreRows.ReadAll(command, StoreRows.ReadDatasetVersion).FirstOrDefault());
    }
}
