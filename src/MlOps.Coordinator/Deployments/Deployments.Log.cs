namespace MlOps.Coordinator.Deployments;

/// <summary>Log messages of deployments and their reconciler; event ids 1900-1999.</summary>
internal static partial class DeploymentLog
{
    [LoggerMessage(EventId = 1900, Level = LogLevel.Information, Message = "Deployment {Name} of model {Model}: revision {Revision} wants {Traffic}")]
    public static partial void Deployed(ILogger logger, string name, string model, int revision, string traffic);

    [LoggerMessage(EventId = 1901, Level = LogLevel.Information, Message = "Deployment {Name} rolled back to revision {Target} as revision {Revision}: {Traffic}")]
    public static partial void RolledBack(ILogger logger, string name, int target, int revision, string traffic);

    [LoggerMessage(EventId = 1902, Level = LogLevel.Information, Message = "Deployment {Name} deleted; its agents drain and unload it")]
    public static partial void Deleted(ILogger logger, string name);

    [LoggerMessage(EventId = 1903, Level = LogLevel.Information, Message = "Deployment {Name} follows an alias that moved: revision {Revision} wants {Traffic}")]
    public static partial void AliasMoved(ILogger logger, string name, int revision, string traffic);

    [LoggerMessage(EventId = 1904, Level = LogLevel.Information, Message = "Deployment {Name} revision {Revision}: {Phase} ({Message})")]
    public static partial void PhaseChanged(ILogger logger, string name, int revision, string phase, string message);

    [LoggerMessage(EventId = 1905, Level = LogLevel.Information, Message = "Deployment {Name} now routes {Traffic}")]
    public static partial void TrafficSwitched(ILogger logger, string name, string traffic);

    [LoggerMessage(EventId = 1906, Level = LogLevel.Debug, Message = "Serving assignment {Generation} to agent {AgentId}: {Models} model(s)")]
    public static partial void AssignmentSent(ILogger logger, long generation, string agentId, int models);

    [LoggerMessage(EventId = 1907, Level = LogLevel.Error, Message = "Deployment reconciler pass failed; retrying")]
    public static partial void PassFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1908, Level = LogLevel.Warning, Message = "Deployment {Name}: cannot resolve {Field}: {Problem}")]
    public static partial void Unresolvable(ILogger logger, string name, string field, string problem);
}
