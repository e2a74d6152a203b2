using Npgsql;

namespace MlOps.Coordinator.Storage.Postgres;

/// <summary>
/// <see cref="ICoordinatorStore"/>, <see cref="IRegistryStore"/> and <see cref="IDeploymentStore"/> on a PostgreSQL
/// database that several coordinators may share. Unlike <see cref="SqliteCoordinatorStore"/> nothing relies on an
/// in-process lock: every write is one READ COMMITTED transaction that locks what its decision depends on (the job
/// <c>FOR UPDATE</c>, the submission counter, the model's row, an advisory lock per dataset name), unique constraints
/// back the numbering up, and a write that loses a race all the same is retried as a whole (see <see cref="WriteAsync{T}"/>).
/// </summary>
internal sealed partial class PostgresCoordinatorStore : ICoordinatorStore
{
    /// <summary>Key of the session advisory lock held while migrating ("mlops" and 1): one coordinator migrates, the
    /// others wait and then find every migration applied.</summary>
    private const long MigrationLockKey = 0x6D6C_6F70_7300_0001;

    private readonly Lazy<string> _connectionString;
    private readonly Lazy<string> _database;
    private readonly Lazy<NpgsqlDataSource> _dataSource;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<PostgresCoordinatorStore> _logger;

    /// <summary>Connects with <paramref name="connectionString"/>, resolved on first use so that building the store
    /// never touches the network or the options before they are validated.</summary>
    public PostgresCoordinatorStore(Func<string> connectionString, TimeProvider timeProvider, ILogger<PostgresCoordinatorStore> logger)
    {
        _connectionString = new Lazy<string>(() => PostgresConnectionStrings.Prepare(connectionString()));
        _database = new Lazy<string>(() => PostgresConnectionStrings.Describe(_connectionString.Value));
        _dataSource = new Lazy<NpgsqlDataSource>(() => NpgsqlDataSource.Create(_connectionString.Value));
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public PostgresCoordinatorStore(string connectionString, TimeProvider timeProvider, ILogger<PostgresCoordinatorStore> logger)
        : this(() => connectionString, timeProvider, logger)
    {
    }

    /// <summary><c>host:port/database</c>; never the password.</summary>
    public string Database => _database.Value;

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await AcquireMigrationLockAsync(connection, cancellationToken);
        try
        {
            await ExecuteAsync(connection, null, PostgresSchema.CreateVersionTable, cancellationToken);
            var current = await ReadSchemaVersionAsync(connection, cancellationToken);
            foreach (var migration in PostgresSchema.Migrations.Where(m => m.Version > current))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
                await using var record = Command(connection, transaction,
                    "INSERT INTO schema_version (version, description, applied_at) VALUES (@v, @d, @t);");
                record.Parameters.AddWithValue("v", migration.Version);
                record.Parameters.AddWithValue("d", migration.Description);
                record.Parameters.AddWithValue("t", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
                await record.ExecuteNonQueryAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                StoreLog.PostgresMigrationApplied(_logger, migration.Version, migration.Description, Database);
            }

            var version = Math.Max(current, PostgresSchema.LatestVersion);
            StoreLog.PostgresSchemaReady(_logger, Database, version);
        }
        finally
        {
            await ReleaseMigrationLockAsync(connection);
        }
    }

    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var exists = Command(connection, null, "SELECT to_regclass('schema_version') IS NOT NULL;");
        var hasTable = (bool)(await exists.ExecuteScalarAsync(cancellationToken))!;
        return hasTable ? await ReadSchemaVersionAsync(connection, cancellationToken) : 0;
    }

    public void Dispose()
    {
        // Closes the pooled connections, so the database can be dropped once the store is gone.
        if (_dataSource.IsValueCreated)
        {
            _dataSource.Value.Dispose();
        }
    }

    private async Task AcquireMigrationLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        // A session lock, so that it spans the migrations' own transactions. Should this process die while holding it,
        // PostgreSQL releases it with the connection.
        await using var tryLock = Command(connection, null, "SELECT pg_try_advisory_lock(@key);");
        tryLock.Parameters.AddWithValue("key", MigrationLockKey);
        if ((bool)(await tryLock.ExecuteScalarAsync(cancellationToken))!)
        {
            return;
        }

        StoreLog.WaitingForMigrationLock(_logger, Database);
        await using var wait = Command(connection, null, "SELECT pg_advisory_lock(@key);");
        wait.Parameters.AddWithValue("key", MigrationLockKey);
        await wait.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ReleaseMigrationLockAsync(NpgsqlConnection connection)
    {
        // A broken connection has lost the lock with its session already; failing here would hide why it broke.
        if (connection.State == System.Data.ConnectionState.Open)
        {
            await using var unlock = Command(connection, null, "SELECT pg_advisory_unlock(@key);");
            unlock.Parameters.AddWithValue("key", MigrationLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<int> ReadSchemaVersionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_version;");
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
