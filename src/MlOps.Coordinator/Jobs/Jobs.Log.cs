using MlOps.Contracts;

namespace MlOps.Coordinator.Jobs;

/// <summary>Log messages about jobs; event ids 1100-1199.</summary>
internal static partial class JobLog
{
    [LoggerMessage(EventId = 1100, Level = LogLevel.Information, Message = "Job {JobId}: {From} -> {To} (attempt {Attempt}): {Reason}")]
    public static partial void StateChanged(ILogger logger, string jobId, JobState from, JobState to, int attempt, string reason);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Job {JobId} ({Name}) submitted by {Owner}")]
    public static partial void Submitted(ILogger logger, string jobId, string name, string owner);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Job spec refused: {Errors}")]
    public static partial void SubmitRefused(ILogger logger, string errors);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Cancelling job {JobId} on agent {AgentId} (attempt {Attempt}): {Reason}")]
    public static partial void CancelSent(ILogger logger, string jobId, string agentId, int attempt, string reason);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Job {JobId} is cancelling but agent {AgentId} has no open stream; the cancellation goes out when it reconnects")]
    public static partial void CancelDeferred(ILogger logger, string jobId, string agentId);
}
