using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MlOps.Coordinator.Storage;

/// <summary>
/// <see cref="ICoordinatorStore"/> on one SQLite file in WAL mode. Reads run concurrently on pooled
/// connections; writes are serialized in-process (SQLite has one writer anyway, and waiting on a semaphore
/// is cheaper than spinning on <c>SQLITE_BUSY</c>), and <c>busy_timeout</c> covers other processes.
/// </summary>
internal sealed partial class SqliteCoordinatorStore : ICoordinatorStore
{
    private const int BusyTimeoutMs = 5000;

    private readonly Lazy<string> _connectionString;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger<SqliteCoordinatorStore> _logger;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>Opens (creating if needed) the database at <paramref name="databasePath"/>, resolved on first use so
    /// that building the store never touches the disk or the options before they are validated.</summary>
    public SqliteCoordinatorStore(Func<string> databasePath, TimeProvider timeProvider, ILogger<SqliteCoordinatorStore> logger)
    {
        _connectionString = new Lazy<string>(() => Prepare(databasePath()));
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public SqliteCoordinatorStore(string databasePath, TimeProvider timeProvider, ILogger<SqliteCoordinatorStore> logger)
        : this(() => databasePath, timeProvider, logger)
    {
    }

    public string DatabasePath => new SqliteConnectionStringBuilder(_connectionString.Value).DataSource;

    private static string Prepare(string databasePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        return new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
    }

    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var connection = Open();
            // WAL is a property of the file: set once, it stays for every later connection.
            Execute(connection, null, "PRAGMA journal_mode=WAL;");
            Execute(connection, null, SqliteSchema.CreateVersionTable);
            var current = ReadSchemaVersion(connection);
            foreach (var migration in SqliteSchema.Migrations.Where(m => m.Version > current))
            {
                using var transaction = connection.BeginTransaction();
                Execute(connection, transaction, migration.Sql);
                using var record = Command(connection, transaction,
                    "INSERT INTO schema_version (version, description, applied_at) VALUES ($v, $d, $t);");
                record.Parameters.AddWithValue("$v", migration.Version);
                record.Parameters.AddWithValue("$d", migration.Description);
                record.Parameters.AddWithValue("$t", _timeProvider.GetUtcNow().ToString("o", CultureInfo.InvariantCulture));
                record.ExecuteNonQuery();
                transaction.Commit();
                StoreLog.MigrationApplied(_logger, migration.Version, migration.Description, DatabasePath);
            }

            var version = Math.Max(current, SqliteSchema.LatestVersion);
            StoreLog.SchemaReady(_logger, DatabasePath, version);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        using var connection = Open();
        using var exists = Command(connection, null, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';");
        var hasTable = Convert.ToInt64(exists.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
        return Task.FromResult(hasTable ? ReadSchemaVersion(connection) : 0);
    }

    public void Dispose()
    {
        // Pooled connections keep the file (and its -wal/-shm companions) open; release them so the database
        // can be reopened, moved or deleted once the store is gone.
        if (_connectionString.IsValueCreated)
        {
            using var connection = new SqliteConnection(_connectionString.Value);
            SqliteConnection.ClearPool(connection);
        }

        _writeLock.Dispose();
    }

    private static int ReadSchemaVersion(SqliteConnection connection)
    {
        using var command = Command(connection, null, "SELECT COALESCE(MAX(version), 0) FROM schema_version;");
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString.Value);
        connection.Open();
        Execute(connection, null,
            $"PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;");
        return connection;
    }

    /// <summary>Runs <paramref name="write"/> in one IMMEDIATE transaction under the in-process write lock.</summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, SqliteTransaction, T> write, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction(deferred: false);
            CheckFence(connection, transaction);
            var result = write(connection, transaction);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private long _fenceEpoch;

    public event EventHandler<StaleWriterException>? WritesFenced;

    public async Task<long> ClaimWritesAsync(string holder, CancellationToken cancellationToken)
    {
        var epoch = await WriteAsync((connection, transaction) =>
        {
            using var command = Command(connection, transaction,
                "UPDATE write_fence SET epoch = epoch + 1, holder = @holder, claimed_at = @at WHERE id = 1 RETURNING epoch;");
            command.Parameters.AddWithValue("@holder", holder);
            command.Parameters.AddWithValue("@at", _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
            return (long)command.ExecuteScalar()!;
        }, cancellationToken);
        Volatile.Write(ref _fenceEpoch, epoch);
        return epoch;
    }

    /// <summary>Inside a write transaction (which holds SQLite's write lock): refuses the write after a newer claim.</summary>
    private void CheckFence(SqliteConnection connection, SqliteTransaction transaction)
    {
        var mine = Volatile.Read(ref _fenceEpoch);
        if (mine == 0)
        {
            return;
        }

        using var command = Command(connection, transaction, "SELECT epoch, holder FROM write_fence WHERE id = 1;");
        using var reader = command.ExecuteReader();
        reader.Read();
        var (current, holder) = (reader.GetInt64(0), reader.GetString(1));
        if (current != mine)
        {
            var stale = new StaleWriterException(mine, current, holder);
            WritesFenced?.Invoke(this, stale);
            throw stale;
        }
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = Command(connection, transaction, sql);
        command.ExecuteNonQuery();
    }
}
