
namespace MlOps.Coordinator.Leases;

/// <summary>Log messages about agent leases; event ids 1300-1399.</summary>
internal static partial class LeaseLog
{
    [LoggerMessage(EventId = 1300, Level = LogLevel.Warning, Message = "Agent {AgentId} lost: its lease expired; releasing {JobCount} job(s) (stream closed: {StreamClosed})")]
    public static partial void AgentLost(ILogger logger, string agentId, int jobCount, bool streamClosed);

    [LoggerMessage(EventId = 1301, Level = LogLevel.Error, Message = "Lease check failed; retrying at the next tick")]
    public static partial void CheckFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning, Message = "Agent {AgentId} lost: Consul reports it {Health} and it has gone silent; releasing {JobCount} job(s) (stream closed: {StreamClosed})")]
    public static partial void AgentLostInConsul(ILogger logger, string agentId, string health, int jobCount, bool streamClosed);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Lease monitor started: lease {LeaseDuration}, checked every {CheckInterval}")]
    public static partial void MonitorStarted(ILogger logger, TimeSpan leaseDuration, TimeSpan checkInterval);
}
