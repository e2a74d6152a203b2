using MlOps.Coordinator.Api;

namespace MlOps.Coordinator.Hosting;

/// <summary>Maps the coordinator's gRPC services and the standard gRPC health service.</summary>
public static class CoordinatorEndpointExtensions
{
    public static WebApplication MapCoordinator(this WebApplication app)
    {
        app.MapGrpcService<JobGrpcService>();
        app.MapGrpcService<ClusterGrpcService>();
        app.MapGrpcService<AgentGrpcService>();
        app.MapGrpcService<ArtifactGrpcService>();
        app.MapGrpcService<ModelRegistryGrpcService>();
        app.MapGrpcService<DatasetGrpcService>();
        app.MapGrpcService<DeploymentGrpcService>();
        app.MapGrpcService<MonitoringGrpcService>();
        app.MapGrpcService<RetrainingGrpcService>();
        app.MapGrpcService<PipelineGrpcService>();
        app.MapGrpcService<AccessGrpcService>();
        app.MapGrpcHealthChecksService();
        return app;
    }
}
