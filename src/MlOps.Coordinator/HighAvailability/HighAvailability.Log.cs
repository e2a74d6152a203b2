namespace MlOps.Coordinator.HighAvailability;

/// <summary>Log messages of leader election; event ids 1900-1999.</summary>
internal static partial class HighAvailabilityLog
{
    [LoggerMessage(EventId = 1900, Level = LogLevel.Information, Message = "Coordinator {Address} contends for leadership (Consul lock {Key}); it follows until it wins")]
    public static partial void Contending(ILogger logger, string address, string key);

    [LoggerMessage(EventId = 1901, Level = LogLevel.Information, Message = "Coordinator {Address} leads (lock index {LockIndex}, store write epoch {Epoch})")]
    public static partial void Leading(ILogger logger, string address, ulong lockIndex, long epoch);

    [LoggerMessage(EventId = 1902, Level = LogLevel.Critical, Message = "Lost the leadership (Consul lock {Key}); stopping so that this coordinator restarts as a follower")]
    public static partial void LostLeadership(ILogger logger, string key);

    [LoggerMessage(EventId = 1903, Level = LogLevel.Warning, Message = "Leader election failed: {Reason}; trying again in {Delay}")]
    public static partial void ElectionFailed(ILogger logger, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 1904, Level = LogLevel.Critical, Message = "Recovery as the new leader failed; giving up the leadership")]
    public static partial void RecoveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1905, Level = LogLevel.Warning, Message = "The coordinator listens on {Address} (every interface) and Coordinator:HighAvailability:AdvertiseAddress is not set; advertising the host name")]
    public static partial void WildcardAdvertised(ILogger logger, string address);

    [LoggerMessage(EventId = 1907, Level = LogLevel.Critical, Message = "The store refused a write: {Reason}")]
    public static partial void Fenced(ILogger logger, string reason);

    [LoggerMessage(EventId = 1906, Level = LogLevel.Warning, Message = "Could not deregister {ServiceId} from Consul: {Reason}")]
    public static partial void DeregisterFailed(ILogger logger, string serviceId, string reason);
}
