using Google.Protobuf;
using Microsoft.Data.Sqlite;
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
                if (ReadDatasetVersions(existing) is [var found])
                {
                    return (found, false);
                }
            }

            var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
            var files = new DatasetVersion();
            files.Files.Add(draft.Files);
            using var command = Command(connection, transaction,
                """
                INSERT INTO dataset_versions (name, version, digest, repository, files, format, train_count, test_count, created_at)
                VALUES ($name, (SELECT COALESCE(MAX(version), 0) + 1 FROM dataset_versions WHERE name = $name), $digest, $repository,
                        $files, $format, $train, $test, $now)
                RETURNING version;
                """);
            command.Parameters.AddWithValue("$name", draft.Name);
            command.Parameters.AddWithValue("$digest", draft.Digest);
            command.Parameters.AddWithValue("$repository", draft.Repository);
            command.Parameters.AddWithValue("$files", files.ToByteArray());
            command.Parameters.AddWithValue("$format", draft.Format);
            command.Parameters.AddWithValue("$train", draft.TrainCount);
            command.Parameters.AddWithValue("$test", draft.TestCount);
            command.Parameters.AddWithValue("$now", now);
            var stored = draft.Clone();
            stored.Version = Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            stored.CreatedAt = FromUnixMs(now);
            return (stored, true);
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

        return Task.FromResult<IReadOnlyList<DatasetVersion>>(ReadDatasetVersions(command));
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

        return Task.FromResult(ReadDatasetVersions(command).FirstOrDefault());
    }

    private static List<DatasetVersion> ReadDatasetVersions(SqliteCommand command)
    {
        var versions = new List<DatasetVersion>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
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
            version.Files.Add(DatasetVersion.Parser.ParseFrom((byte[])reader[4]).Files);
            versions.Add(version);
        }

        return versions;
    }
}
