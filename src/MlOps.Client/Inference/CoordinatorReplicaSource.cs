using Grpc.Core;
using MlOps.Contracts;

namespace MlOps.Client.Inference;

/// <summary>
/// Ready replicas from the coordinator's <c>DeploymentService.GetDeployment</c>: those it reports ready (connected,
/// serving every version the deployment routes to). The version of a request does not narrow them: every ready
/// replica serves every routed version.
/// </summary>
public sealed class CoordinatorReplicaSource(CallInvoker coordinator) : IReplicaSource
{
    private readonly DeploymentService.DeploymentServiceClient _deployments = new(coordinator ?? throw new ArgumentNullException(nameof(coordinator)));

    /// <inheritdoc />
    public async Task<ReplicaList> GetReadyReplicasAsync(string deployment, string version, CancellationToken cancellationToken)
    {
        var fetched = await _deployments.GetDeploymentAsync(new GetDeploymentRequest { Name = deployment }, cancellationToken: cancellationToken);
        return new ReplicaList(
            [.. fetched.Replicas.Where(r => r.Ready && r.GrpcAddress.Length > 0).Select(r => r.GrpcAddress)],
            $"phase {fetched.Phase}: {fetched.Message}; {fetched.Replicas.Count(r => r.Ready)} of {fetched.Replicas.Count} replicas ready");
    }
}
