
namespace MlOps.Coordinator.Registry;

/// <summary>Log messages of the model registry; event ids 1700-1799.</summary>
internal static partial class RegistryLog
{
    [LoggerMessage(EventId = 1700, Level = LogLevel.Information, Message = "Registered model {Model} version {Version} from job {JobId} ({Repository}@{ManifestDigest})")]
    public static partial void Registered(ILogger logger, string model, int version, string jobId, string repository, string manifestDigest);

    [LoggerMessage(EventId = 1701, Level = LogLevel.Warning, Message = "Job {JobId} succeeded but its model could not be registered: {Reason}")]
    public static partial void RegistrationFailed(ILogger logger, string jobId, string reason);

    [LoggerMessage(EventId = 1702, Level = LogLevel.Warning, Message = "Model {Model} version {Version} is registered, but tagging {Repository}@{ManifestDigest} as {Tag} failed: {Reason}")]
    public static partial void TagFailed(ILogger logger, string model, int version, string repository, string manifestDigest, string tag, string reason);

    [LoggerMessage(EventId = 1703, Level = LogLevel.Information, Message = "Alias {Model}@{Alias} -> version {Version}")]
    public static partial void AliasSet(ILogger logger, string model, string alias, int version);

    [LoggerMessage(EventId = 1704, Level = LogLevel.Information, Message = "Alias {Model}@{Alias} deleted")]
    public static partial void AliasDeleted(ILogger logger, string model, string alias);
}
