namespace MlOps.Coordinator.Retraining;

/// <summary>Log messages of the retraining controller; event ids 2200-2299.</summary>
internal static partial class RetrainingLog
{
    [LoggerMessage(EventId = 2200, Level = LogLevel.Information, Message = "Retraining run {RunId} of model {Model}: {Step}: {Message}")]
    public static partial void Decision(ILogger logger, string runId, string model, string step, string message);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Model {Model}: trigger {Trigger} fired, but run {RunId} already tried production with dataset {Dataset} and was not promoted; waiting for a new dataset version or policy")]
    public static partial void WaitingForData(ILogger logger, string model, string trigger, string runId, string dataset);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Error, Message = "Retraining step of model {Model} failed; retrying on the next pass")]
    public static partial void ModelStepFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Error, Message = "Retraining pass failed")]
    public static partial void PassFailed(ILogger logger, Exception exception);
}
