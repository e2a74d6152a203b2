using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Agents;

namespace MlOps.Coordinator.Api;

/// <summary>
/// <c>AgentService.Connect</c>: one long-lived stream per agent (docs/agent-protocol.md). The first message
/// must be a hello with an agent id; then a reader loop hands each message to <see cref="AgentMessages"/>
/// while the session's pump writes queued coordinator messages. A stream the coordinator closes (newer
/// connection, lease expired, shutdown) ends with <c>ABORTED</c> and the reason.
/// </summary>
internal sealed class AgentGrpcService(
    AgentConnections connections,
    AgentMessages messages,
    IHostApplicationLifetime lifetime,
    ILogger<AgentGrpcService> logger) : AgentService.AgentServiceBase
{
    public override async Task Connect(
        IAsyncStreamReader<AgentMessage> requestStream, IServerStreamWriter<CoordinatorMessage> responseStream, ServerCallContext context)
    {
        var hello = await ReadHelloAsync(requestStream, context.CancellationToken);
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
