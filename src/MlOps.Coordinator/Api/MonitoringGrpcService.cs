using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Monitoring;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Api;

/// <summary><c>MonitoringService</c>: the drift monitor's latest evaluations of a model's versions.</summary>
internal sealed class MonitoringGrpcService(DriftMonitor monitor, IRegistryStore registry) : MonitoringService.MonitoringServiceBase
{
    public override async Task<ModelMonitor> GetModelMonitor(GetModelMonitorRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Model))
        {
            RpcErrors.ThrowInvalidArgument("model", "is required");
        }

        if (await registry.ListModelVersionsAsync(request.Model, context.CancellationToken) is null)
        {
            RpcErrors.ThrowNotFound<ModelMonitor>("model", $"model '{request.Model}' is not in the registry");
        }

        return monitor.Get(request.Model);
    }
}
