using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlOps.Serving.Models;

namespace MlOps.Serving.Protocol;

/// <summary>Healthy (gRPC SERVING) once the repository has at least one ready model version.</summary>
internal sealed class ReadyModelHealthCheck(IModelRepository repository) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(repository.HasReadyModel()
            ? HealthCheckResult.Healthy("a model is ready")
            : HealthCheckResult.Unhealthy("no model is ready"));
}
