namespace MlOps.Coordinator.Pipelines;

/// <summary>Log messages of pipeline runs; event ids 2300-2399.</summary>
internal static partial class PipelinesLog
{
    [LoggerMessage(EventId = 2300, Level = LogLevel.Information, Message = "Pipeline run {RunId} of {Pipeline} started with {Steps} steps (owner {Owner})")]
    public static partial void Started(ILogger logger, string runId, string pipeline, int steps, string owner);

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Pipeline run {RunId} of {Pipeline} ended {State}")]
    public static partial void Finished(ILogger logger, string runId, string pipeline, string state);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Error, Message = "Pipeline run {RunId} of {Pipeline} stopped: its record could not be stored")]
    public static partial void RunCrashed(ILogger logger, string runId, string pipeline, Exception exception);

    [LoggerMessage(EventId = 2303, Level = LogLevel.Warning, Message = "Pipeline run {RunId} of {Pipeline} was left running by a previous coordinator; marked failed")]
    public static partial void Abandoned(ILogger logger, string runId, string pipeline);

    [LoggerMessage(EventId = 2304, Level = LogLevel.Information, Message = "Pipeline run {RunId} step {Step} ({Kind}): {Message}")]
    public static partial void StepNote(ILogger logger, string runId, string step, string kind, string message);

    [LoggerMessage(EventId = 2305, Level = LogLevel.Error, Message = "Marking the pipeline runs left running by a previous coordinator failed")]
    public static partial void RecoveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2306, Level = LogLevel.Warning, Message = "Pipeline run {RunId} step {Step}: cancelling job {JobId} failed")]
    public static partial void JobCancelFailed(ILogger logger, string runId, string step, string jobId, Exception exception);
}
