using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>
/// Deployments as the contract message itself: spec, revision history, the traffic split agents route with, and
/// the placement (replica agent ids). Live replica state (readiness, loaded versions) is not stored; the reconciler
/// rebuilds it from the agents' reports after a restart.
/// </summary>
public interface IDeploymentStore
{
    Task<Deployment?> GetDeploymentAsync(string name, CancellationToken cancellationToken);

    /// <summary>Every deployment, by name.</summary>
    Task<IReadOnlyList<Deployment>> ListDeploymentsAsync(CancellationToken cancellationToken);

    /// <summary>Creates or replaces the deployment named by <c>spec.name</c>.</summary>
    Task PutDeploymentAsync(Deployment deployment, CancellationToken cancellationToken);

    /// <summary>False when there was no such deployment.</summary>
    Task<bool> DeleteDeploymentAsync(string name, CancellationToken cancellationToken);
}
