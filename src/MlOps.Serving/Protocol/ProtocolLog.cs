using Microsoft.Extensions.Logging;
using MlOps.Serving.Models;

namespace MlOps.Serving.Protocol;

/// <summary>Log messages of the protocol layer (event ids 5100-5199). Never logs tensor contents.</summary>
internal static partial class ProtocolLog
{
    [LoggerMessage(EventId = 5101, Level = LogLevel.Debug, Message = "Rejected {Protocol} call {Method}: {Kind}: {Reason}")]
    public static partial void Rejected(this ILogger logger, string protocol, string method, InferenceErrorKind kind, string reason);

    [LoggerMessage(EventId = 5104, Level = LogLevel.Debug, Message = "Rejected {Protocol} call {Method} with HTTP {Status}: {Reason}")]
    public static partial void RejectedWithStatus(this ILogger logger, string protocol, string method, int status, string reason);

    [LoggerMessage(EventId = 5102, Level = LogLevel.Error, Message = "{Protocol} call {Method} failed unexpectedly")]
    public static partial void Unexpected(this ILogger logger, string protocol, string method, Exception exception);

    [LoggerMessage(EventId = 5103, Level = LogLevel.Warning, Message = "{Protocol} call {Method} failed inside the model: {Reason}")]
    public static partial void ModelFailed(this ILogger logger, string protocol, string method, string reason);
}
