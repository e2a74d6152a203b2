
namespace MlOps.Coordinator.Datasets;

/// <summary>Log messages about dataset versions; event ids 1800-1899.</summary>
internal static partial class DatasetsLog
{
    [LoggerMessage(EventId = 1800, Level = LogLevel.Information, Message = "Registered dataset {Name} version {Version} ({Digest}): {Files} file(s), {TrainCount} training and {TestCount} test samples")]
    public static partial void Registered(ILogger logger, string name, int version, string digest, int files, long trainCount, long testCount);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Information, Message = "Dataset version {Name} ({Digest}) refused: {Reason}")]
    public static partial void Refused(ILogger logger, string name, string digest, string reason);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Information, Message = "Cached dataset {Digest} ({Files} file(s)) at {Directory}")]
    public static partial void Cached(ILogger logger, string digest, int files, string directory);

    [LoggerMessage(EventId = 1803, Level = LogLevel.Warning, Message = "Dataset {Name} version {Version} is registered, but tagging {Repository}@{Digest} as {Tag} failed: {Reason}")]
    public static partial void TagFailed(ILogger logger, string name, int version, string repository, string digest, string tag, string reason);
}
