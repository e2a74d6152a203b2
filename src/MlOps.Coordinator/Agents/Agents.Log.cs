using MlOps.Contracts;

namespace MlOps.Coordinator.Agents;

/// <summary>Log messages about agent sessions; event ids 1200-1299.</summary>
internal static partial class AgentLog
{
    [LoggerMessage(EventId = 1200, Level = LogLevel.Information, Message = "Agent {AgentId} connected from {Host}: {CpuCores} cores, {MemoryMb} MB, {Gpus} GPUs; reports {Running} running attempt(s); replaced an older stream: {Replaced}")]
    public static partial void Connected(ILogger logger, string agentId, string host, int cpuCores, long memoryMb, int gpus, int running, bool replaced);

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Agent {AgentId} disconnected; its jobs are kept until its lease expires at {LeaseExpires}")]
    public static partial void Disconnected(ILogger logger, string agentId, DateTimeOffset? leaseExpires);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Warning, Message = "Agent {AgentId} reports job {JobId} attempt {Attempt}, which is not that job's current attempt on it; cancelling it")]
    public static partial void StaleAttemptReported(ILogger logger, string agentId, string jobId, int attempt);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Warning, Message = "Agent {AgentId} reconnected without {Count} job(s) it held; releasing them")]
    public static partial void JobsLostOnRestart(ILogger logger, string agentId, int count);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information, Message = "Ignored {Kind} from agent {AgentId} for job {JobId} attempt {Attempt}: the job is {State}, attempt {CurrentAttempt} on agent '{CurrentAgent}'")]
    public static partial void StaleMessage(ILogger logger, string agentId, string kind, string jobId, int attempt, JobState state, int currentAttempt, string currentAgent);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Warning, Message = "Ignored {Kind} from agent {AgentId} for unknown job '{JobId}'")]
    public static partial void UnknownJob(ILogger logger, string agentId, string kind, string jobId);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Warning, Message = "Agent {AgentId} sent {What}; ignored")]
    public static partial void UnexpectedMessage(ILogger logger, string agentId, string what);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Warning, Message = "Agent stream refused: {Reason}")]
    public static partial void Refused(ILogger logger, string reason);

    // A reset stream is routine (agent killed, network cut); the reason is enough, a stack trace is noise.
    [LoggerMessage(EventId = 1208, Level = LogLevel.Warning, Message = "Agent {AgentId} stream broke: {Reason}")]
    public static partial void StreamFailed(ILogger logger, string agentId, string reason);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Information, Message = "Agent {AgentId} drained: {Drained}")]
    public static partial void DrainChanged(ILogger logger, string agentId, bool drained);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Warning, Message = "Agent stream from {Peer} refused (UNAUTHENTICATED): {Reason}")]
    public static partial void Unauthenticated(ILogger logger, string peer, string reason);

    [LoggerMessage(EventId = 1211, Level = LogLevel.Warning, Message = "Agent stream refused (PERMISSION_DENIED): the hello names agent {AgentId}, but its certificate was issued to {CommonName}")]
    public static partial void IdentityMismatch(ILogger logger, string agentId, string commonName);
}
