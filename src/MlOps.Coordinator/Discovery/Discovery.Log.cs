namespace MlOps.Coordinator.Discovery;

/// <summary>Log messages of the Consul health watch; event ids 2000-2099 (agent loss itself is logged by the lease
/// log, 1303).</summary>
internal static partial class DiscoveryLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Following mlops-agent health in Consul: {Instances} instance(s) listed; an agent Consul reports critical is lost once silent for {Silence}")]
    public static partial void Following(ILogger logger, int instances, TimeSpan silence);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Consul reports agent {AgentId} {Health}")]
    public static partial void AgentDown(ILogger logger, string agentId, string health);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Consul reports agent {AgentId} passing")]
    public static partial void AgentUp(ILogger logger, string agentId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Reading agent health from Consul at {Address} failed; leases still detect lost agents; retrying with backoff: {Reason}")]
    public static partial void WatchFailed(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Reading agent health from Consul at {Address} still failing ({Suppressed} more failure(s) since the last report): {Reason}")]
    public static partial void WatchStillFailing(ILogger logger, string address, int suppressed, string reason);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Reading agent health from Consul works again after {Failures} failure(s)")]
    public static partial void WatchRecovered(ILogger logger, int failures);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Warning, Message = "Coordinator:Consul:SilenceBeforeLoss ({Silence}) is shorter than LeaseDuration - HeartbeatInterval ({SelfFencing}): a frozen agent's jobs may be requeued while its training processes still run (they stop only when the agent's lease runs out); raise SilenceBeforeLoss or lower LeaseDuration for at-most-once training")]
    public static partial void SilenceShorterThanSelfFencing(ILogger logger, TimeSpan silence, TimeSpan selfFencing);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Checking agents Consul reports down failed; retrying at the next tick")]
    public static partial void CheckFailed(ILogger logger, Exception exception);
}
