using Microsoft.Extensions.Logging;

namespace MlOps.Discovery;

/// <summary>Log messages of the Consul client and its lock; event ids 6000-6099. Never logs the ACL token or
/// KV values.</summary>
internal static partial class DiscoveryLog
{
    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Consul {Method} {Path} failed ({Reason}); retry {Retry} of {Retries} in {Delay}")]
    public static partial void Retrying(this ILogger logger, string method, string path, string reason, int retry, int retries, TimeSpan delay);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Debug, Message = "Consul index of {Path} went backwards from {Sent} to {Returned}; the next query reads afresh")]
    public static partial void IndexReset(this ILogger logger, string path, ulong sent, ulong returned);

    [LoggerMessage(EventId = 6010, Level = LogLevel.Debug, Message = "Created Consul session {SessionId} for lock {Key}")]
    public static partial void SessionCreated(this ILogger logger, string sessionId, string key);

    [LoggerMessage(EventId = 6011, Level = LogLevel.Warning, Message = "Renewing Consul session {SessionId} failed; {Remaining} left of its TTL")]
    public static partial void RenewFailed(this ILogger logger, string sessionId, TimeSpan remaining, Exception exception);

    [LoggerMessage(EventId = 6012, Level = LogLevel.Warning, Message = "Consul session {SessionId} ended: {Reason}")]
    public static partial void SessionEnded(this ILogger logger, string sessionId, string reason);

    [LoggerMessage(EventId = 6020, Level = LogLevel.Information, Message = "Acquired lock {Key} with session {SessionId} (lock index {LockIndex})")]
    public static partial void LockAcquired(this ILogger logger, string key, string sessionId, ulong lockIndex);

    [LoggerMessage(EventId = 6021, Level = LogLevel.Warning, Message = "Lost lock {Key} held by session {SessionId}: {Reason}")]
    public static partial void LockLost(this ILogger logger, string key, string sessionId, string reason);

    [LoggerMessage(EventId = 6022, Level = LogLevel.Information, Message = "Released lock {Key} held by session {SessionId}")]
    public static partial void LockReleased(this ILogger logger, string key, string sessionId);

    [LoggerMessage(EventId = 6023, Level = LogLevel.Warning, Message = "Watching lock {Key} failed; retrying in {Delay}")]
    public static partial void WatchFailed(this ILogger logger, string key, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 6024, Level = LogLevel.Warning, Message = "Cleaning up lock {Key} (session {SessionId}) failed")]
    public static partial void CleanupFailed(this ILogger logger, string key, string sessionId, Exception exception);

    [LoggerMessage(EventId = 6025, Level = LogLevel.Error, Message = "A LeadershipLost handler of lock {Key} threw")]
    public static partial void HandlerFailed(this ILogger logger, string key, Exception exception);
}
