using System.Diagnostics.CodeAnalysis;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Configuration;
using MlOps.Core.Certificates;

namespace MlOps.Coordinator.Api;

/// <summary>
/// <c>AgentService.Connect</c>: one long-lived stream per agent (docs/agent-protocol.md). The first message
/// must be a hello with an agent id; then a reader loop hands each message to <see cref="AgentMessages"/>
/// while the session's pump writes queued coordinator messages. A stream the coordinator closes (newer
/// connection, lease expired, shutdown) ends with <c>ABORTED</c> and the reason. With mutual TLS
/// (<see cref="CoordinatorOptions.Tls"/>) the caller must present an agent certificate (<c>UNAUTHENTICATED</c>
/// otherwise), and the hello's agent id must be its common name (<c>PERMISSION_DENIED</c> otherwise).
/// </summary>
internal sealed class AgentGrpcService(
    AgentConnections connections,
    AgentMessages messages,
    IHostApplicationLifetime lifetime,
    IOptions<CoordinatorOptions> options,
    ILogger<AgentGrpcService> logger) : AgentService.AgentServiceBase
{
    public override async Task Connect(
        IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<CoordinatorMessage> responseStream, ServerCallContext context)
    {
        // Checked before the hello is read: a caller without an agent certificate gets nothing from the stream.
        var certified = options.Value.Tls.Enabled ? RequireAgentCertificate(context) : null;
        var hello = await ReadHelloAsync(requestStream, context.CancellationToken);
        if (certified is not null && !string.Equals(hello.AgentId, certified, StringComparison.Ordinal))
        {
            AgentLog.IdentityMismatch(logger, hello.AgentId, certified);
            ThrowPermissionDenied(
                $"hello.agent_id '{hello.AgentId}' is not the agent certificate's common name '{certified}': an agent joins under the name " +
                $"its certificate was issued for (set Agent:Id to '{certified}', or leave it empty to take the certificate's)");
        }

        using var callOrShutdown = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        using var session = new AgentSession(hello.AgentId, callOrShutdown.Token);
        await connections.OpenAsync(session, hello, session.Token);
        var pump = session.PumpAsync(responseStream);
        try
        {
            while (await requestStream.MoveNext(session.Token))
            {
                await messages.HandleAsync(session, requestStream.Current, session.Token);
            }
        }
        catch (OperationCanceledException) when (session.Token.IsCancellationRequested)
        {
            // Closed by us (see CloseReason), by shutdown, or the client went away.
        }
        catch (IOException ex)
        {
            AgentLog.StreamFailed(logger, hello.AgentId, ex.Message);
        }
        finally
        {
            session.Complete();
            await pump;
            await connections.ClosedAsync(session);
        }

        if (session.CloseReason is { } reason)
        {
            throw new RpcException(new Status(StatusCode.Aborted, reason));
        }

        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            RpcErrors.ThrowUnavailable("the coordinator is shutting down; reconnect with a hello");
        }
    }

    /// <summary>The common name of the caller's agent certificate; <c>UNAUTHENTICATED</c> without one.</summary>
    private string RequireAgentCertificate(ServerCallContext context)
    {
        if (PeerCertificate.TryGetIdentity(context, out var role, out var name) && role == ClusterRole.Agent)
        {
            return name;
        }

        var certificate = PeerCertificate.ClientCertificate(context);
        var reason = certificate is null
            ? "no client certificate was presented; an agent joins over mutual TLS with its cluster certificate (Agent:Tls)"
            : $"the client certificate '{certificate.Subject}' is not an agent certificate (O=agent); issue one with mlops certs issue NAME --role agent";
        AgentLog.Unauthenticated(logger, context.Peer, reason);
        return ThrowUnauthenticated<string>(reason);
    }

    [DoesNotReturn]
    private static T ThrowUnauthenticated<T>(string reason) =>
        throw new RpcException(new Status(StatusCode.Unauthenticated, reason));

    [DoesNotReturn]
    private static void ThrowPermissionDenied(string reason) =>
        throw new RpcException(new Status(StatusCode.PermissionDenied, reason));

    private async Task<AgentHello> ReadHelloAsync(IAsyncStreamReader<AgentMessage> requestStream, CancellationToken cancellationToken)
    {
        if (!await requestStream.MoveNext(cancellationToken) || requestStream.Current.KindCase != AgentMessage.KindOneofCase.Hello)
        {
            AgentLog.Refused(logger, "the first message was not a hello");
            RpcErrors.ThrowInvalidArgument("hello", "the first message on the stream must be a hello");
        }

        var hello = requestStream.Current.Hello;
        if (string.IsNullOrWhiteSpace(hello.AgentId))
        {
            AgentLog.Refused(logger, "the hello had no agent_id");
            RpcErrors.ThrowInvalidArgument("hello.agent_id", "is required (stable per node, from the agent's configuration)");
        }

        return hello;
    }
}
