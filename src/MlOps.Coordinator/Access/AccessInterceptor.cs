using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;
using MlOps.Contracts.Access;
using MlOps.Coordinator.Api;
using MlOps.Coordinator.Configuration;
using MlOps.Core.Certificates;

namespace MlOps.Coordinator.Access;

/// <summary>
/// Authenticates and authorises every call to the coordinator and audits it (docs/security.md).
/// <list type="bullet">
/// <item>Who: with <see cref="AccessOptions.Enabled"/>, an <c>authorization: Bearer</c> API token names the principal
/// and its role; without a token, an agent's cluster certificate (subject <c>O=agent</c>, verified in the TLS
/// handshake) makes it the agent named by the certificate's CN. Neither: UNAUTHENTICATED. With authentication off,
/// everyone is an admin named by the <c>x-mlops-user</c> header.</item>
/// <item>May it: <see cref="MethodRules"/>; PERMISSION_DENIED names the role the method needs.</item>
/// <item>Audit: each mutating call, and each refused call, becomes an <see cref="Contracts.AuditRecord"/> once it
/// ends. Streaming calls take their target from the first message read.</item>
/// </list>
/// </summary>
internal sealed class AccessInterceptor(
    IOptions<CoordinatorOptions> options, ApiTokens tokens, AuditLog audit, TimeProvider time, ILogger<AccessInterceptor> logger) : Interceptor
{
    private const string AuthorizationHeader = "authorization";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var call = await AdmitAsync(context, request as IMessage);
        if (call is null)
        {
            return await continuation(request, context);
        }

        try
        {
            var response = await continuation(request, context);
            await call.EndAsync(request as IMessage, response as IMessage, null);
            return response;
        }
        catch (Exception ex)
        {
            await call.EndAsync(request as IMessage, null, ex);
            throw;
        }
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var call = await AdmitAsync(context, null);
        if (call is null)
        {
            return await continuation(requestStream, context);
        }

        var reader = new FirstMessageReader<TRequest>(requestStream);
        try
        {
            var response = await continuation(reader, context);
            await call.EndAsync(reader.First as IMessage, response as IMessage, null);
            return response;
        }
        catch (Exception ex)
        {
            await call.EndAsync(reader.First as IMessage, null, ex);
            throw;
        }
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var call = await AdmitAsync(context, request as IMessage);
        if (call is null)
        {
            await continuation(request, responseStream, context);
            return;
        }

        try
        {
            await continuation(request, responseStream, context);
            await call.EndAsync(request as IMessage, null, null);
        }
        catch (Exception ex)
        {
            await call.EndAsync(request as IMessage, null, ex);
            throw;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        var call = await AdmitAsync(context, null);
        if (call is null)
        {
            await continuation(requestStream, responseStream, context);
            return;
        }

        // A stream can stay open for days (an agent's session): its opening is recorded as soon as its first message
        // names what it is about, and its end with the outcome.
        var reader = new FirstMessageReader<TRequest>(requestStream, first => call.OpenedAsync(first as IMessage));
        try
        {
            await continuation(reader, responseStream, context);
            await call.EndAsync(reader.First as IMessage, null, null);
        }
        catch (Exception ex)
        {
            await call.EndAsync(reader.First as IMessage, null, ex);
            throw;
        }
    }

    /// <summary>
    /// Recognises and authorises the caller, attaching it to the call (<see cref="Caller.Of"/>). Returns the audit
    /// handle of a mutating call, null for a call that is not audited; throws (after auditing) a refused one.
    /// </summary>
    private async Task<AuditedCall?> AdmitAsync(ServerCallContext context, IMessage? request)
    {
        var rule = MethodRules.For(context.Method);
        if (rule.Public)
        {
            return null;
        }

        var startedAt = time.GetTimestamp();
        var startedUtc = time.GetUtcNow();
        Caller caller;
        try
        {
            caller = await AuthenticateAsync(context);
        }
        catch (RpcException refusal)
        {
            AccessLog.Refused(logger, context.Method, context.Peer ?? "", refusal.Status.Detail);
            await audit.RecordAsync(new Caller("", AccessRole.None, "none"), context, startedAt, startedUtc, request, null, refusal);
            throw;
        }

        caller.AttachTo(context);

        // Without authentication (loopback only) nothing is refused: there is no one to tell apart.
        if (options.Value.Auth.Enabled && !rule.Allows(caller.Role))
        {
            var refusal = new RpcException(new Status(StatusCode.PermissionDenied,
                $"{context.Method} needs {rule.Describe()}; {caller.Principal} has the {caller.Role.Name()} role"));
            AccessLog.Refused(logger, context.Method, context.Peer ?? "", refusal.Status.Detail);
            await audit.RecordAsync(caller, context, startedAt, startedUtc, request, null, refusal);
            throw refusal;
        }

        return rule.Mutating ? new AuditedCall(audit, caller, context, startedAt, startedUtc) : null;
    }

    private async Task<Caller> AuthenticateAsync(ServerCallContext context)
    {
        if (!options.Value.Auth.Enabled)
        {
            return Caller.Unauthenticated(context.RequestHeaders.GetValue(MlOps.Coordinator.Api.JobGrpcService.UserHeader));
        }

        var authorization = context.RequestHeaders.GetValue(AuthorizationHeader);
        if (!string.IsNullOrEmpty(authorization))
        {
            const string Scheme = "Bearer ";
            if (!authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == Scheme.Length)
            {
                throw Unauthenticated("the authorization header must be 'Bearer <API token>'");
            }

            try
            {
                var token = await tokens.AuthenticateAsync(authorization[Scheme.Length..].Trim(), context.CancellationToken);
                return AccessRoles.TryParseTokenRole(token.Role, out var role)
                    ? new Caller(token.Name, role, $"token {token.Id}")
                    : throw Unauthenticated($"API token {token.Id} carries an unknown role '{token.Role}'");
            }
            catch (TokenRefusedException ex)
            {
                throw Unauthenticated(ex.Message);
            }
        }

        if (PeerCertificate.TryGetIdentity(context, out var certificateRole, out var commonName) && certificateRole == ClusterRole.Agent)
        {
            return new Caller(commonName, AccessRole.Agent, $"certificate CN={commonName}");
        }

        throw Unauthenticated("this coordinator requires an API token: send 'authorization: Bearer <token>' " +
            "(mlops: --token-file, MLOPS_TOKEN or ~/.config/mlops/token); agents present their cluster certificate");
    }

    private static RpcException Unauthenticated(string message) => new(new Status(StatusCode.Unauthenticated, message));

    /// <summary>The audit record of one admitted mutating call, written by <see cref="EndAsync"/>.</summary>
    private sealed class AuditedCall(AuditLog audit, Caller caller, ServerCallContext context, long startedAt, DateTimeOffset startedUtc)
    {
        public Task EndAsync(IMessage? request, IMessage? response, Exception? error) =>
            audit.RecordAsync(caller, context, startedAt, startedUtc, request, response, error);

        public Task OpenedAsync(IMessage? first) =>
            audit.RecordAsync(caller, context, startedAt, startedUtc, first, null, null, AuditLog.Opened);
    }

    /// <summary>Passes a request stream through, keeping its first message for the audit record's target.</summary>
    private sealed class FirstMessageReader<T>(IAsyncStreamReader<T> inner, Func<object?, Task>? onFirst = null) : IAsyncStreamReader<T>
    {
        private bool _seen;

        public T Current => inner.Current;

        public object? First { get; private set; }

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            var moved = await inner.MoveNext(cancellationToken);
            if (moved && !_seen)
            {
                _seen = true;
                First = inner.Current;
                if (onFirst is not null)
                {
                    await onFirst(First);
                }
            }

            return moved;
        }
    }
}
