namespace MlOps.Coordinator.Access;

internal static partial class AccessLog
{
    [LoggerMessage(EventId = 2400, Level = LogLevel.Warning, Message = "Refused {Method} from {Peer}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string peer, string reason);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Error, Message = "Could not write the audit record of {Method} by {Principal}")]
    public static partial void AuditWriteFailed(ILogger logger, Exception exception, string method, string principal);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning,
        Message = "Authentication is on and the store held no API token: made the first admin token {TokenId} (principal {Principal}); its secret is in {Path} (mode 0600). Make your own tokens with it, then delete the file")]
    public static partial void FirstAdminToken(ILogger logger, string tokenId, string principal, string path);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Information, Message = "Authentication is {State}: {Tokens} API token(s) valid")]
    public static partial void Started(ILogger logger, string state, int tokens);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Warning, Message = "Could not reload API tokens from the store")]
    public static partial void ReloadFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Information, Message = "{Principal} created API token {TokenId} for {Name} with role {Role}")]
    public static partial void TokenCreated(ILogger logger, string principal, string tokenId, string name, string role);

    [LoggerMessage(EventId = 2406, Level = LogLevel.Information, Message = "{Principal} revoked API token {TokenId} ({Name})")]
    public static partial void TokenRevoked(ILogger logger, string principal, string tokenId, string name);
}
