using Microsoft.Extensions.Logging;

namespace MlOps.Serving.Authentication;

/// <summary>Log messages of inference authentication (event ids 5200-5299). Never logs a token or any part of one.</summary>
internal static partial class AuthenticationLog
{
    // Debug: a client with a stale token would otherwise write one line per request.
    [LoggerMessage(EventId = 5201, Level = LogLevel.Debug, Message = "Refused {Protocol} call {Method} from {Remote}: {Reason}")]
    public static partial void Refused(ILogger logger, string protocol, string method, string remote, string reason);
}
