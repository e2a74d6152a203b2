using Microsoft.Extensions.Diagnostics.HealthChecks;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Hosting;

/// <summary>Healthy when the state database answers and is at the schema this build expects.</summary>
internal sealed class StoreHealthCheck(ICoordinatorStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var version = await store.GetSchemaVersionAsync(cancellationToken);
            return version > 0
                ? HealthCheckResult.Healthy($"schema version {version}")
                : HealthCheckResult.Unhealthy("the state database has not been migrated yet");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("the state database does not answer", ex);
        }
    }
}
