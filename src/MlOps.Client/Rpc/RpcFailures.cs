using Grpc.Core;

namespace MlOps.Client.Rpc;

/// <summary>How to read a failed gRPC call.</summary>
public static class RpcFailures
{
    /// <summary>
    /// The call never reached a working server: UNAVAILABLE, or INTERNAL raised by the HTTP/2 transport itself (the
    /// server closed the connection as the call started, e.g. it is shutting down and sent GOAWAY) rather than by the
    /// server's code. Such a call did not run and can go elsewhere.
    /// </summary>
    public static bool IsTransportFailure(RpcException ex) =>
        ex.StatusCode == StatusCode.Unavailable ||
        (ex.StatusCode == StatusCode.Internal && ex.Status.DebugException is HttpRequestException or IOException);
}
