using Google.Protobuf;
using MlOps.Contracts;
using Npgsql;

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
                if (await ReadDatasetVersionsAsync(existing, cancellationToken) is [var found])
                {
                    return (found, false);
                }
            }

            var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var files = new DatasetVersion();
            files.Files.Add(draft.Files);
            await using var command = Command(connection, transaction,
                """
                INSERT INTO dataset_versions (name, version, digest, repository, files, format, train_count, test_count, created_at)
                VALUES (@name, (SELECT COALESCE(MAX(version), 0) + 1 FROM dataset_versions WHERE name = @name), @digest, @repository,
                        @files, @format, @train, @test, @now)
                RETURNING version;
                """);
            command.Parameters.AddWithValue("name", draft.Name);
            command.Parameters.AddWithValue("digest", draft.Digest);
            command.Parameters.AddWithValue("repository", draft.Repository);
            command.Parameters.AddWithValue("files", files.ToByteArray());
            command.Parameters.AddWithValue("format", draft.Format);
            command.Parameters.AddWithValue("train", draft.TrainCount);
            command.Parameters.AddWithValue("test", draft.TestCount);
            command.Parameters.AddWithValue("now", now);
            var stored = draft.Clone();
            stored.Version = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
            stored.CreatedAt = FromUnixMs(now);
            return (stored, true);
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

        return await ReadDatasetVersionsAsync(command, cancellationToken);
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

        return (await ReadDatasetVersionsAsync(command, cancellationToken)).FirstOrDefault();
    }

    private static async Task<List<DatasetVersion>> ReadDatasetVersionsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var versions = new List<DatasetVersion>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var version = new DatasetVersion
            {
                Name = reader.GetString(0),
                Version = reader.GetInt32(1),
                Digest = reader.GetString(2),
                Repository = reader.GetString(3),
                Format = reader.GetString(5),
                TrainCount = reader.GetInt64(6),
                TestCount = reader.GetInt64(7),
                CreatedAt = FromUnixMs(reader.GetInt64(8)),
            };
            version.Files.Add(DatasetVersion.Parser.ParseFrom(reader.GetFieldValue<byte[]>(4)).Files);
            versions.Add(version);
        }

        return versions;
    }
}
