using MlOps.Coordinator.Scheduling;

namespace MlOps.Coordinator.Deployments;

/// <summary>Asks the deployment reconciler for a pass (deploy, rollback, alias moved, an agent's serving report,
/// an agent connecting or leaving).</summary>
public sealed class DeploymentSignal : CoalescingSignal;
