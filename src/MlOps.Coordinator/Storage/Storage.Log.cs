
namespace MlOps.Coordinator.Storage;

/// <summary>Log messages of the store; event ids 1000-1099.</summary>
internal static partial class StoreLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Applied schema migration {Version} ({Description}) to {DatabasePath}")]
    public static partial void MigrationApplied(ILogger logger, int version, string description, string databasePath);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "State database {DatabasePath} is at schema version {Version}")]
    public static partial void SchemaReady(ILogger logger, string databasePath, int version);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Applied schema migration {Version} ({Description}) to PostgreSQL database {Database}")]
    public static partial void PostgresMigrationApplied(ILogger logger, int version, string description, string database);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "PostgreSQL state database {Database} is at schema version {Version}")]
    public static partial void PostgresSchemaReady(ILogger logger, string database, int version);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Another coordinator is migrating PostgreSQL database {Database}; waiting for it to finish")]
    public static partial void WaitingForMigrationLock(ILogger logger, string database);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Store write conflicted with another transaction (SQLSTATE {SqlState}, constraint '{Constraint}'); retrying, attempt {Attempt} of {MaxAttempts}")]
    public static partial void WriteRetried(ILogger logger, string sqlState, string constraint, int attempt, int maxAttempts);
}
