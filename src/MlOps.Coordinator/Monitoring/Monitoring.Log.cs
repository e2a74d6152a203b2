namespace MlOps.Coordinator.Monitoring;

/// <summary>Log messages of drift monitoring; event ids 2100-2199.</summary>
internal static partial class MonitoringLog
{
    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Model {Model} version {Version}: drift verdict {From} -> {To}: {Reasons}")]
    public static partial void VerdictChanged(ILogger logger, string model, int version, string from, string to, string reasons);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Agent {AgentId} sent an unreadable live profile for model {Model} version {Version}: {Reason}")]
    public static partial void BadWindow(ILogger logger, string agentId, string model, int version, string reason);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Model {Model} version {Version}: live accuracy {Accuracy:P1} on {Labels} labels is below the threshold {Threshold:P1}")]
    public static partial void AccuracyBelowThreshold(ILogger logger, string model, int version, double accuracy, long labels, double threshold);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Error, Message = "Drift evaluation of model {Model} version {Version} failed")]
    public static partial void EvaluationFailed(ILogger logger, string model, int version, Exception exception);
}
