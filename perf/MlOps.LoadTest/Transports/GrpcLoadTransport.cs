using System.Net;
using System.Runtime.CompilerServices;
using Grpc.Core;
using Grpc.Net.Client;
using MlOps.Client.Inference;
using MlOps.Contracts;

namespace MlOps.LoadTest.Transports;

/// <summary>
/// Open Inference Protocol <c>ModelInfer</c> over one <see cref="GrpcChannel"/> (HTTP/2, extra connections when
/// the server's stream limit is reached). Requests go out as their pre-serialized bytes and responses are not
/// parsed, only counted: the generator shares the cores with the server, so its own CPU per request is kept low,
/// as perf_analyzer does.
/// </summary>
public sealed class GrpcLoadTransport : ILoadTransport
{
    private const string Service = "inference.GRPCInferenceService";

    private static readonly Marshaller<byte[]> RequestBytes = Marshallers.Create(b => b, b => b);

    /// <summary>Every response deserializes to this one object: nothing is allocated or parsed per answer.</summary>
    private static readonly object Answered = new();

    private static readonly Marshaller<object> IgnoredResponse = Marshallers.Create<object>(
        _ => throw new NotSupportedException("responses are never sent"), _ => Answered);

    private static readonly Method<byte[], object> ModelInfer =
        new(MethodType.Unary, Service, "ModelInfer", RequestBytes, IgnoredResponse);

    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;
    private readonly IReadOnlyList<byte[]> _payloads;
    private readonly TimeSpan _timeout;

    /// <param name="target">The gRPC endpoint.</param>
    /// <param name="payloads">The prepared request messages.</param>
    /// <param name="timeout">The deadline of each call.</param>
    /// <param name="security">Token and certificates for an endpoint that authenticates; none when null.</param>
    public GrpcLoadTransport(Uri target, IReadOnlyList<byte[]> payloads, TimeSpan timeout, InferenceEndpointSecurity? security = null)
    {
        _payloads = payloads;
        _timeout = timeout;
        _channel = GrpcChannel.ForAddress(target, new GrpcChannelOptions
        {
            HttpHandler = (security ?? InferenceEndpointSecurity.None).CreateHandler(new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                UseProxy = false,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                AutomaticDecompression = DecompressionMethods.None,
            }),
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            MaxSendMessageSize = 64 * 1024 * 1024,
        });
        _invoker = _channel.CreateCallInvoker();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<string?> SendAsync(int payload, CancellationToken cancellationToken)
    {
        try
        {
            var options = new CallOptions(deadline: DateTime.UtcNow + _timeout, cancellationToken: cancellationToken);
            await _invoker.AsyncUnaryCall(ModelInfer, null, options, _payloads[payload]).ResponseAsync.ConfigureAwait(false);
            return null;
        }
        catch (RpcException ex)
        {
            return StatusName(ex.StatusCode);
        }
    }

    public ValueTask DisposeAsync()
    {
        _channel.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>gRPC's canonical status names; a passed deadline is reported as <c>timeout</c>, as the REST transport
    /// reports one.</summary>
    internal static string StatusName(StatusCode code) =>
        code == StatusCode.DeadlineExceeded ? "timeout" : GrpcStatusNames.Of(code);
}
