using Grpc.Core;

namespace MlOps.Coordinator.Tests.Infrastructure;

/// <summary>A <see cref="ServerCallContext"/> for calling a gRPC service class directly, without a server.</summary>
public sealed class TestServerCallContext(Metadata? requestHeaders = null, CancellationToken cancellationToken = default) : ServerCallContext
{
    private readonly Metadata _requestHeaders = requestHeaders ?? [];
    private readonly Metadata _responseTrailers = [];

    protected override string MethodCore => "test";
    protected override string HostCore => "localhost";
    protected override string PeerCore => "ipv4:127.0.0.1:1";
    protected override DateTime DeadlineCore => DateTime.MaxValue;
    protected override Metadata RequestHeadersCore => _requestHeaders;
    protected override CancellationToken CancellationTokenCore => cancellationToken;
    protected override Metadata ResponseTrailersCore => _responseTrailers;
    protected override Status StatusCore { get; set; }
    protected override WriteOptions? WriteOptionsCore { get; set; }
    protected override AuthContext AuthContextCore => new(null, []);

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) =>
        throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}

/// <summary>Collects what a server-streaming method writes.</summary>
public sealed class CollectingStreamWriter<T> : IServerStreamWriter<T>, IAsyncStreamWriter<T>
{
    private readonly System.Threading.Channels.Channel<T> _written = System.Threading.Channels.Channel.CreateUnbounded<T>();

    public WriteOptions? WriteOptions { get; set; }

    public List<T> Items { get; } = [];

    public Task WriteAsync(T message, CancellationToken cancellationToken) => WriteAsync(message);

    public Task WriteAsync(T message)
    {
        lock (Items)
        {
            Items.Add(message);
        }

        _written.Writer.TryWrite(message);
        return Task.CompletedTask;
    }

    /// <summary>The next item written, waiting at most <paramref name="timeout"/>.</summary>
    public async Task<T> NextAsync(TimeSpan? timeout = null) =>
        await _written.Reader.ReadAsync().AsTask().WaitAsync(timeout ?? TimeSpan.FromSeconds(10));

    /// <summary>True when an item is waiting right now.</summary>
    public bool TryNext(out T? item) => _written.Reader.TryRead(out item);
}
