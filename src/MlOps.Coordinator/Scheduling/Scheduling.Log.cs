
namespace MlOps.Coordinator.Scheduling;

/// <summary>Log messages of the scheduler; event ids 1400-1499.</summary>
internal static partial class SchedulingLog
{
    [LoggerMessage(EventId = 1400, Level = LogLevel.Information, Message = "Scheduler started: policy {Policy}, pass every {Interval} and on demand")]
    public static partial void LoopStarted(ILogger logger, string policy, TimeSpan interval);

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Scheduling pass ({Policy}): {Queued} queued, {Agents} agent(s), {Assigned} assigned")]
    public static partial void PassApplied(ILogger logger, string policy, int queued, int agents, int assigned);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Warning, Message = "Job {JobId} asks for {Request}, more than any of the {Agents} connected agent(s) has in all (largest: {Largest}); it stays queued until a larger agent connects")]
    public static partial void Unplaceable(ILogger logger, string jobId, string request, int agents, string largest);

    [LoggerMessage(EventId = 1403, Level = LogLevel.Error, Message = "Scheduling pass failed; retrying at the next interval")]
    public static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1404, Level = LogLevel.Information, Message = "Preempting job {JobId} attempt {Attempt} on agent {AgentId}: {Reason}")]
    public static partial void Preempting(ILogger logger, string jobId, int attempt, string agentId, string reason);
}
