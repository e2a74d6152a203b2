using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using MlOps.Serving.Models;

namespace MlOps.Serving.Protocol.Grpc;

/// <summary>
/// Turns what the inference service throws into a specific gRPC status: <see cref="InferenceException"/> by its
/// kind, a cancelled call into CANCELLED, anything else into INTERNAL with the message (never the stack).
/// </summary>
internal sealed class GrpcExceptionInterceptor(ILogger<GrpcExceptionInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(requestStream, responseStream, context);
        }
        catch (Exception e) when (Translate(e, context) is { } status)
        {
            throw status;
        }
    }

    private RpcException? Translate(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case RpcException:
                return null;
            case InferenceException inference:
                Log(logger, context.Method, inference);
                return ErrorMapping.ToRpcException(inference);
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "the call was cancelled"));
            default:
                logger.Unexpected("gRPC", context.Method, exception);
                return new RpcException(new Status(StatusCode.Internal, $"internal error: {exception.Message}"));
        }
    }

    internal static void Log(ILogger logger, string method, InferenceException exception)
    {
        if (exception.Kind == InferenceErrorKind.Internal)
        {
            logger.ModelFailed("gRPC", method, exception.Message);
        }
        else
        {
            logger.Rejected("gRPC", method, exception.Kind, exception.Message);
        }
    }
}
