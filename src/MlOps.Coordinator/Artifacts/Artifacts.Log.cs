
namespace MlOps.Coordinator.Artifacts;

/// <summary>Log messages about the artifact store and its API; event ids 1600-1699.</summary>
internal static partial class ArtifactsLog
{
    [LoggerMessage(EventId = 1600, Level = LogLevel.Information, Message = "Artifact store: {Location}")]
    public static partial void StoreOpened(ILogger logger, string location);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Debug, Message = "Blob {Digest} ({Size} bytes) pushed to {Repository}")]
    public static partial void BlobPushed(ILogger logger, string repository, string digest, long size);

    [LoggerMessage(EventId = 1602, Level = LogLevel.Warning, Message = "Blob upload to {Repository} refused: expected {Expected}, the bytes hash to {Actual}")]
    public static partial void BlobRefused(ILogger logger, string repository, string expected, string actual);

    [LoggerMessage(EventId = 1603, Level = LogLevel.Information, Message = "Manifest {Digest} pushed to {Repository} (tag '{Tag}')")]
    public static partial void ManifestPushed(ILogger logger, string repository, string digest, string tag);

    [LoggerMessage(EventId = 1604, Level = LogLevel.Warning, Message = "Artifact request on {Repository} failed ({Error}): {Message}")]
    public static partial void RequestFailed(ILogger logger, string repository, string error, string message);

    [LoggerMessage(EventId = 1605, Level = LogLevel.Warning, Message = "Blob upload to {Repository} refused: larger than the {MaxBytes}-byte limit (Artifacts:MaxBlobBytes)")]
    public static partial void BlobTooLarge(ILogger logger, string repository, long maxBytes);
}
