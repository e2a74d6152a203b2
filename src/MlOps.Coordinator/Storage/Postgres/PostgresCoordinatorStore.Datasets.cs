using MlOps.Contracts;

namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>Dataset versions: the file list is a protobuf blob (a <see cref="DatasetVersion"/> holding only files).</summary>
internal sealed partial class PostgresCoordinatorStore
{
    private const string DatasetColumns = "name, version, digest, repository, files, format, train_count, test_count, created_at";

    public Task<(DatasetVersion Version, bool Created)> AddDatasetVersionAsync(DatasetVersion draft, CancellationToken cancellationToken) =>
        WriteAsync(async (connection, transaction) =>
        {
            // A dataset has no row of its own to lock, so registrations of one name queue on a transaction-scoped
            // advisory lock (shared by every coordinator on the database, released at commit): the check for the digest
            // and the next number both see the previous registration.
            await using (var serialize = Command(connection, transaction,
                "SELECT pg_advisory_xact_lock(hashtextextended('mlops.dataset_versions:' || @name, 0));"))
            {
                serialize.Parameters.AddWithValue("name", draft.Name);
                await serialize.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var existing = Command(connection, transaction, $"SELECT {DatasetColumns} FROM dataset_versions WHERE name = @name AND digest = @digest;"))
            {
                existing.Parameters.AddWithValue("name", draft.Name);
                existing.Parameters.AddWithValue("digest", draft.Digest);
                if (await StoreRows.ReadAllAsync(existing, StoreRows.ReadDatasetVersion, cancellationToken) is [var found])
                {
                    return (found, false);
                }
            }

            var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            await using var command = Command(connection, transaction,
                """
                INSERT INTO dataset_versions (name, version, digest, repository, files, format, train_count, test_count, created_at)
                VALUES (@name, (SELECT COALESCE(MAX(version), 0) + 1 FROM dataset_versions WHERE name = @name), @digest, @repository,
                        @files, @format, @train, @test, @now)
                RETURNING version;
                """);
            StoreParameters.Postgres(command).AddDatasetVersion(draft, now);
            var version = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
            return (StoreRows.Inserted(draft, version, now), true);
        }, cancellationToken);

    public async Task<IReadOnlyList<DatasetVersion>> ListDatasetVersionsAsync(string? name, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, name is null
            ? $"SELECT {DatasetColumns} FROM dataset_versions ORDER BY name, version;"
            : $"SELECT {DatasetColumns} FROM dataset_versions WHERE name = @name ORDER BY version;");
        if (name is not null)
        {
            command.Parameters.AddWithValue("name", name);
        }

        return await StoreRows.ReadAllAsync(command, StoreRows.ReadDatasetVersion, cancellationToken);
    }

    public Task<DatasetVersion?> GetDatasetVersionAsync(string name, int version, CancellationToken cancellationToken) =>
        QueryDatasetVersionAsync($"SELECT {DatasetColumns} FROM dataset_versions WHERE name = @name AND version = @version;",
            cancellationToken, ("name", name), ("version", version));

    public Task<DatasetVersion?> GetLatestDatasetVersionAsync(string name, CancellationToken cancellationToken) =>
        QueryDatasetVersionAsync($"SELECT {DatasetColumns} FROM dataset_versions WHERE name = @name ORDER BY version DESC LIMIT 1;",
            cancellationToken, ("name", name));

    public Task<DatasetVersion?> FindDatasetVersionAsync(string digest, CancellationToken cancellationToken) =>
        QueryDatasetVersionAsync($"SELECT {DatasetColumns} FROM dataset_versions WHERE digest = @digest ORDER BY created_at, name LIMIT 1;",
            cancellationToken, ("digest", digest));

    private async Task<DatasetVersion?> QueryDatasetVersionAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql);
        foreach (var (parameter, value) in parameters)
        {
            command.Parameters.AddWithValue(parameter, value);
        }

        return (await StoreRows.ReadAllAsync(command, StoreRows.ReadDatasetVersion, cancellationToken)).FirstOrDefault();
    }

}
