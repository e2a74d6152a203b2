using System.Threading.Channels;
using Grpc.Core;
using MlOps.Contracts;

namespace MlOps.Coordinator.Agents;

/// <summary>
/// One open <c>Connect</c> stream. Anyone may queue a message with <see cref="Send"/>; a single pump writes
/// them to the stream in order, so writes to one agent never interleave. <see cref="Close"/> ends the
/// stream from the coordinator's side (replaced by a newer connection, lease expired, shutting down).
/// </summary>
internal sealed class AgentSession : IDisposable
{
    private readonly Channel<CoordinatorMessage> _outbox =
        Channel.CreateUnbounded<CoordinatorMessage>(new UnboundedChannelOptions { SingleReader = true });

    private readonly CancellationTokenSource _closed;
    private string? _closeReason;

    public AgentSession(string agentId, CancellationToken callCancelled)
    {
        AgentId = agentId;
        _closed = CancellationTokenSource.CreateLinkedTokenSource(callCancelled);
    }

    public string AgentId { get; }

    /// <summary>Cancelled when the stream ends, from either side.</summary>
    public CancellationToken Token => _closed.Token;

    /// <summary>Why the coordinator closed the stream; null while open or when the agent hung up.</summary>
    public string? CloseReason => Volatile.Read(ref _closeReason);

    /// <summary>Queues a message; false once the session is closed.</summary>
    public bool Send(CoordinatorMessage message) => _outbox.Writer.TryWrite(message);

    public void Close(string reason)
    {
        Interlocked.CompareExchange(ref _closeReason, reason, null);
        _outbox.Writer.TryComplete();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already gone: the handler finished first.
        }
    }

    /// <summary>Writes queued messages to the stream until the session closes.</summary>
    public async Task PumpAsync(IAsyncStreamWriter<CoordinatorMessage> stream)
    {
        try
        {
            await foreach (var message in _outbox.Reader.ReadAllAsync(Token))
            {
                await stream.WriteAsync(message, Token);
            }
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
            // The stream is ending; whatever is still queued is moot.
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or RpcException)
        {
            // The transport is gone; end the session so the reader stops too.
            Close("writing to the agent's stream failed: " + ex.Message);
        }
    }

    /// <summary>Stops the pump after the agent hung up.</summary>
    public void Complete() => _outbox.Writer.TryComplete();

    public void Dispose() => _closed.Dispose();
}
