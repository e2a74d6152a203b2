
namespace MlOps.Coordinator.Storage;

/// <summary>Log messages of the store; event ids 1000-1099.</summary>
internal static partial class StoreLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Applied schema migration {Version} ({Description}) to {DatabasePath}")]
    public static partial void MigrationApplied(ILogger logger, int version, string description, string databasePath);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "State database {DatabasePath} is at schema version {Version}")]
    public static partial void SchemaReady(ILogger logger, string databasePath, int version);
}
