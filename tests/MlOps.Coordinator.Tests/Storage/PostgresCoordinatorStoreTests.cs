using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using MlOps.Coordinator.Hosting;
using MlOps.Coordinator.Storage;
using MlOps.Coordinator.Storage.Postgres;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Testing;
using Npgsql;

namespace MlOps.Coordinator.Tests.Storage;

/// <summary>The store contract on a real PostgreSQL server, in a schema of its own per test, and what only the
/// PostgreSQL store does (column types, connection strings in logs, an unreachable server).</summary>
[Trait("Category", "Integration")]
[RequiresPostgres]
[Collection(PostgresCollection.Name)]
public sealed class PostgresCoordinatorStoreTests(PostgresFixture postgres) : CoordinatorStoreContractTests
{
    private string _connectionString = "";

    protected override int LatestSchemaVersion => PostgresSchema.LatestVersion;

    public override async Task InitializeAsync() => _connectionString = await postgres.CreateSchemaAsync(GetType(), "store");

    protected override ICoordinatorStore CreateStore() =>
        new PostgresCoordinatorStore(_connectionString, Time, NullLogger<PostgresCoordinatorStore>.Instance);

    protected override async Task<long> CountSchemaVersionRowsAsync() => (long)(await ScalarAsync("SELECT COUNT(*) FROM schema_version;"))!;

    protected override Task RefuseEventAsync(long seq) => ScalarAsync(
        $"""
        CREATE FUNCTION refuse_event_{seq}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$;
        CREATE TRIGGER refuse_event_{seq} BEFORE INSERT ON job_events FOR EACH ROW WHEN (NEW.seq = {seq}) EXECUTE FUNCTION refuse_event_{seq}();
        """);

    [StoreFact]
    public async Task MigrateAsync_FreshDatabase_BlobsByteaTimesBigintNamesBytewise()
    {
        using var store = await OpenAsync();

        var columns = new Dictionary<string, (string Type, string? Collation)>();
        await using (var connection = await OpenConnectionAsync())
        await using (var command = new NpgsqlCommand(
            "SELECT table_name || '.' || column_name, data_type, collation_name FROM information_schema.columns WHERE table_schema = current_schema();", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                columns[reader.GetString(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
            }
        }

        foreach (var blob in new[] { "jobs.spec", "jobs.status", "job_events.payload", "agents.capacity", "model_versions.metrics", "model_versions.lineage", "dataset_versions.files", "deployments.record" })
        {
            Assert.Equal(("bytea", null), columns[blob]);
        }

        foreach (var time in new[] { "jobs.created_at", "jobs.updated_at", "job_events.time", "agents.last_seen", "models.updated_at", "model_versions.created_at", "dataset_versions.created_at", "deployments.updated_at", "schema_version.applied_at" })
        {
            Assert.Equal("bigint", columns[time].Type);
        }

        foreach (var name in new[] { "jobs.id", "agents.agent_id", "models.name", "model_aliases.alias", "dataset_versions.name", "deployments.name" })
        {
            Assert.Equal("C", columns[name].Collation);
        }
    }

    [StoreFact]
    public async Task MigrateAsync_PasswordInConnectionString_LogsHostPortDatabaseOnly()
    {
        // Trust authentication ignores the password, so the store connects and logs as it would in production.
        var withPassword = new NpgsqlConnectionStringBuilder(_connectionString) { Password = "not-for-logs-4711" };
        using var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var store = new PostgresCoordinatorStore(withPassword.ConnectionString, Time, factory.CreateLogger<PostgresCoordinatorStore>());

        await store.MigrateAsync(None);

        var builder = new NpgsqlConnectionStringBuilder(_connectionString);
        Assert.Contains(logs.Entries, e => e.Message.Contains($"127.0.0.1:{builder.Port}/{builder.Database}", StringComparison.Ordinal));
        Assert.Equal(PostgresSchema.Migrations.Count + 1, logs.Entries.Count);
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains("not-for-logs-4711", StringComparison.Ordinal));
    }

    [StoreFact]
    public async Task CheckHealthAsync_ServerUnreachable_Unhealthy()
    {
        var nowhere = new NpgsqlConnectionStringBuilder(_connectionString) { Port = FreePort.Next(), Timeout = 2 };
        using var store = new PostgresCoordinatorStore(nowhere.ConnectionString, Time, NullLogger<PostgresCoordinatorStore>.Instance);

        var result = await new StoreHealthCheck(store).CheckHealthAsync(new HealthCheckContext(), None);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Equal("the state database does not answer", result.Description);
    }

    private async Task<NpgsqlConnection> OpenConnectionAsync()
    {
        // Unpooled: a test database must not keep idle connections once its test is done.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = await OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
