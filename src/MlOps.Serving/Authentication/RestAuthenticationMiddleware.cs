using Microsoft.AspNetCore.Http;
using MlOps.Serving.Protocol.Rest;

namespace MlOps.Serving.Authentication;

/// <summary>
/// Refuses REST calls under <c>/v2</c> without valid credentials with HTTP 401, the protocol's error body
/// (<c>{"error": "..."}</c>) and a <c>WWW-Authenticate: Bearer</c> challenge when tokens are accepted, before routing
/// reads the body. Every path under <c>/v2</c> is protected except the health probes, so a route added later is
/// protected by default; other paths (<c>/metrics</c>, gRPC, which has its own interceptor) pass through.
/// </summary>
internal sealed class RestAuthenticationMiddleware(RequestDelegate next, InferenceAuthenticator authenticator)
{
    /// <summary>What a load balancer probes; anyone may call them.</summary>
    internal static readonly IReadOnlyList<PathString> OpenPaths = [new("/v2/health/live"), new("/v2/health/ready")];

    public Task InvokeAsync(HttpContext context)
    {
        if (!IsProtected(context.Request.Path))
        {
            return next(context);
        }

        var refusal = authenticator.Authenticate(context, "REST", $"{context.Request.Method} {context.Request.Path}");
        return refusal is null ? next(context) : RefuseAsync(context, refusal);
    }

    /// <summary>
    /// True for every path under <c>/v2</c> (case-insensitive, as routing matches) but the health probes. A probe path
    /// with a trailing slash is protected too: being stricter than routing is the safe side.
    /// </summary>
    internal static bool IsProtected(PathString path) =>
        path.StartsWithSegments("/v2", StringComparison.OrdinalIgnoreCase)
        && !OpenPaths.Any(open => path.Equals(open, StringComparison.OrdinalIgnoreCase));

    private static Task RefuseAsync(HttpContext context, AuthRefusal refusal)
    {
        if (refusal.Challenge is { } challenge)
        {
            context.Response.Headers.WWWAuthenticate = challenge;
        }

        return RestResult.Error(StatusCodes.Status401Unauthorized, refusal.Message).ExecuteAsync(context);
    }
}
