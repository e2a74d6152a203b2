using Grpc.Core;
using Grpc.Core.Interceptors;

namespace MlOps.Serving.Authentication;

/// <summary>
/// Refuses calls to <c>inference.GRPCInferenceService</c> without valid credentials with UNAUTHENTICATED, before
/// the method runs or reads a message. <c>ServerLive</c> and <c>ServerReady</c> stay open for load balancers (as do
/// the separate <c>grpc.health.v1.Health</c> and reflection services, which this interceptor is not attached to).
/// </summary>
internal sealed class GrpcAuthenticationInterceptor(InferenceAuthenticator authenticator) : Interceptor
{
    /// <summary>The methods anyone may call: liveness and readiness probes.</summary>
    internal static readonly IReadOnlySet<string> OpenMethods = new HashSet<string>(StringComparer.Ordinal)
    {
        "/inference.GRPCInferenceService/ServerLive",
        "/inference.GRPCInferenceService/ServerReady",
    };

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Demand(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Demand(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Demand(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Demand(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Demand(ServerCallContext context)
    {
        if (OpenMethods.Contains(context.Method))
        {
            return;
        }

        if (authenticator.Authenticate(context.GetHttpContext(), "gRPC", context.Method) is { } refusal)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, refusal.Message));
        }
    }
}
