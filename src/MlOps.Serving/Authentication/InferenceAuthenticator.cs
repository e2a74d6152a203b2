using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MlOps.Serving.Authentication;

/// <summary>
/// Whether one call to a protected inference endpoint may proceed: a client certificate on the connection (verified
/// against the cluster CA at the handshake, <see cref="InferenceAuthenticationOptions.ConfigureHttps"/>) or a bearer
/// token in the <see cref="InferenceCredentialSet"/>, as the mode allows. Shared by the gRPC interceptor and the REST
/// middleware, so both say the same thing.
/// </summary>
internal sealed class InferenceAuthenticator(InferenceAuthenticationOptions options, InferenceCredentialSet credentials, ILogger<InferenceAuthenticator> logger)
{
    private const string BearerPrefix = "Bearer ";

    public InferenceAuthMode Mode => options.Mode;

    /// <summary>Null when the call may proceed; otherwise why not, and the <c>WWW-Authenticate</c> challenge for REST.</summary>
    public AuthRefusal? Authenticate(HttpContext context, string protocol, string method)
    {
        var mode = options.Mode;
        if (mode == InferenceAuthMode.None)
        {
            return null;
        }

        if (mode.AcceptsCertificates() && context.Connection.ClientCertificate is not null)
        {
            return null;
        }

        var refusal = mode.AcceptsTokens() ? CheckToken(context.Request.Headers.Authorization.ToString(), mode) : new AuthRefusal(
            "authentication required: connect with a client certificate issued by the cluster CA", Challenge: null);
        if (refusal is not null)
        {
            Log(context, protocol, method, refusal);
        }

        return refusal;
    }

    private void Log(HttpContext context, string protocol, string method, AuthRefusal refusal)
    {
        if (logger.IsEnabled(LogLevel.Debug))
        {
            // The reason never holds the token, only which rule refused it.
            var remote = context.Connection.RemoteIpAddress?.ToString() ?? "";
            AuthenticationLog.Refused(logger, protocol, method, remote, refusal.Message);
        }
    }

    private AuthRefusal? CheckToken(string header, InferenceAuthMode mode)
    {
        if (header.Length == 0)
        {
            return new AuthRefusal(mode == InferenceAuthMode.TokenOrMtls
                ? "authentication required: send 'authorization: Bearer <token>' or connect with a client certificate issued by the cluster CA"
                : "authentication required: send 'authorization: Bearer <token>'", "Bearer");
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || header.Length == BearerPrefix.Length)
        {
            return new AuthRefusal("the authorization header must be 'Bearer <token>'", "Bearer error=\"invalid_request\"");
        }

        return credentials.Check(header.AsSpan(BearerPrefix.Length).Trim()) switch
        {
            TokenVerdict.Valid => null,
            TokenVerdict.NoSnapshot => new AuthRefusal(
                "no token is valid yet: this node has not received the cluster's tokens from the coordinator", "Bearer error=\"invalid_token\""),
            _ => new AuthRefusal("the bearer token is not valid (unknown, revoked or expired)", "Bearer error=\"invalid_token\""),
        };
    }
}

/// <summary>Why a call was refused: the message for the caller, and the REST challenge (none when tokens are not accepted).</summary>
internal sealed record AuthRefusal(string Message, string? Challenge);
