
namespace MlOps.Coordinator.Hosting;

/// <summary>Log messages of the host; event ids 1500-1599.</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1500, Level = LogLevel.Information, Message = "Coordinator listening on {Address} (gRPC over HTTP/2)")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "Recovered state: {Agents} known agent(s) marked DISCONNECTED; {Leased} agent(s) have {LeaseDuration} to reconnect before their jobs are requeued")]
    public static partial void Recovered(ILogger logger, int agents, int leased, TimeSpan leaseDuration);

    // A handshake refused for its client certificate: an agent or client from another cluster, or one whose certificate expired.
    [LoggerMessage(EventId = 1502, Level = LogLevel.Warning, Message = "Refused a TLS client certificate {Subject} issued by {Issuer}: {Problems}")]
    public static partial void ClientCertificateRefused(ILogger logger, string subject, string issuer, string problems);
}
