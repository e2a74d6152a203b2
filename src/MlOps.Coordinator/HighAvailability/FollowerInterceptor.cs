using Grpc.Core;
using Grpc.Core.Interceptors;
using MlOps.Contracts;

namespace MlOps.Coordinator.HighAvailability;

/// <summary>
/// On a coordinator that does not lead, refuses every call but the gRPC health service with UNAVAILABLE and the
/// leader's address in the <see cref="LeaderRedirect.TrailerKey"/> trailer, so no follower ever writes shared state
/// or serves from its empty in-memory view. Added only when high availability is on.
/// </summary>
internal sealed class FollowerInterceptor(Leadership leadership, LeaderLocator locator) : Interceptor
{
    private const string HealthService = "/grpc.health.v1.Health/";

    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await RefuseUnlessLeaderAsync(context);
        return await continuation(request, context);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await RefuseUnlessLeaderAsync(context);
        return await continuation(requestStream, context);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await RefuseUnlessLeaderAsync(context);
        await continuation(request, responseStream, context);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await RefuseUnlessLeaderAsync(context);
        await continuation(requestStream, responseStream, context);
    }

    private async Task RefuseUnlessLeaderAsync(ServerCallContext context)
    {
        if (leadership.IsLeader || context.Method.StartsWith(HealthService, StringComparison.Ordinal))
        {
            return;
        }

        var leader = await locator.FindAsync(context.CancellationToken);
        var trailers = new Metadata();
        if (!string.IsNullOrEmpty(leader) && !string.Equals(leader, locator.Self, StringComparison.Ordinal))
        {
            trailers.Add(LeaderRedirect.TrailerKey, leader);
            throw new RpcException(new Status(StatusCode.Unavailable, $"this coordinator is a follower; call the leader at {leader}"), trailers);
        }

        throw new RpcException(new Status(StatusCode.Unavailable, "no coordinator leads at the moment (an election is under way); try again shortly"), trailers);
    }
}
