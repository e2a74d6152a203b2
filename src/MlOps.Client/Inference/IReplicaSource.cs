namespace MlOps.Client.Inference;

/// <summary>
/// Where <see cref="InferenceClient"/> learns which replicas of a deployment are ready: the coordinator
/// (<see cref="CoordinatorReplicaSource"/>, the default) or Consul (<see cref="ConsulReplicaSource"/>).
/// </summary>
/// <remarks>
/// A source that cannot be reached throws <see cref="Grpc.Core.RpcException"/> with <c>UNAVAILABLE</c> or
/// <c>DEADLINE_EXCEEDED</c>; the client then keeps using the replicas it knew last, if any. Any other
/// <see cref="Grpc.Core.RpcException"/> (an unknown deployment is <c>NOT_FOUND</c>) reaches the caller.
/// </remarks>
public interface IReplicaSource
{
    /// <summary>The gRPC inference addresses (<c>http://host:port</c>) of the ready replicas of
    /// <paramref name="deployment"/>; with a <paramref name="version"/>, a source that knows versions lists only the
    /// replicas serving that one.</summary>
    Task<ReplicaList> GetReadyReplicasAsync(string deployment, string version, CancellationToken cancellationToken);
}

/// <summary>Ready replicas at one moment, and a description of the deployment for an error that names none.</summary>
public sealed record ReplicaList(IReadOnlyList<string> GrpcAddresses, string Description);
