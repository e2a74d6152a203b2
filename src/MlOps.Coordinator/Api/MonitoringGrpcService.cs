using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Monitoring;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Api;

/// <summary><c>MonitoringService</c>: the drift monitor's latest evaluations of a model's versions.</summary>
internal sealed class MonitoringGrpcService(DriftMonitor monitor, IRegistryStore registry, IDeploymentStore deployments) : MonitoringService.MonitoringServiceBase
{
    public override async Task<ModelMonitor> GetModelMonitor(GetModelMonitorRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            RpcErrors.ThrowInvalidArgument("model", "is required");
        }

        // The name clients call: a registered model's, or a deployment's that serves one under another name.
        if (await registry.ListModelVersionsAsync(request.Model, context.CancellationToken) is null &&
            await deployments.GetDeploymentAsync(request.Model, context.CancellationToken) is null)
        {
            RpcErrors.ThrowNotFound<ModelMonitor>("model", $"'{request.Model}' is neither a registered model nor a deployment");
        }

        return monitor.Get(request.Model);
    }
}
