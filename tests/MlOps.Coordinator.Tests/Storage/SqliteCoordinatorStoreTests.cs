using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Coordinator.Storage;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>The store contract on a SQLite file in a fresh directory, and what only the SQLite store does (a file, WAL).</summary>
public sealed class SqliteCoordinatorStoreTests : CoordinatorStoreContractTests
{
    private readonly TempDirectory _directory = new();

    private string DatabasePath => _directory.Combine("coordinator.db");

    protected override int LatestSchemaVersion => SqliteSchema.LatestVersion;

    protected override ICoordinatorStore CreateStore() => CreateStore(DatabasePath);

    protected override Task<long> CountSchemaVersionRowsAsync() => Task.FromResult((long)Scalar("SELECT COUNT(*) FROM schema_version;")!);

    protected override Task RefuseEventAsync(long seq)
    {
        Scalar($"CREATE TRIGGER refuse_event_{seq} BEFORE INSERT ON job_events WHEN NEW.seq = {seq} BEGIN SELECT RAISE(ABORT, 'refused'); END;");
        return Task.CompletedTask;
    }

    public override Task DisposeAsync()
    {
        _directory.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task MigrateAsync_NewFile_WriteAheadLogMode()
    {
        using var store = await OpenAsync();

        Assert.Equal("wal", Scalar("PRAGMA journal_mode;"));
    }

    [Fact]
    public async Task MigrateAsync_DirectoryMissing_CreatedWithTheFile()
    {
        var path = _directory.Combine("state", "nested", "coordinator.db");
        using var store = CreateStore(path);

        await store.MigrateAsync(None);

        Assert.True(File.Exists(path));
        Assert.Equal(SqliteSchema.LatestVersion, await store.GetSchemaVersionAsync(None));
    }

    private SqliteCoordinatorStore CreateStore(string path) => new(path, Time, NullLogger<SqliteCoordinatorStore>.Instance);

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
