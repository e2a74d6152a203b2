using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>
/// TEST DOUBLE: a real Kestrel gRPC server on a dynamic loopback port (h2c), hosting the fake JobService,
/// ClusterService, ModelRegistry, DatasetService, ArtifactService, DeploymentService, RetrainingService and PipelineService in-process, so the CLI runs over a real channel exactly as against the coordinator.
/// </summary>
internal sealed class FakeCoordinatorForCliTests : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeCoordinatorForCliTests(WebApplication app, string address)
    {
        _app = app;
        Address = address;
    }

    public string Address { get; }

    public FakeJobServiceForCliTests Jobs => _app.Services.GetRequiredService<FakeJobServiceForCliTests>();

    public FakeClusterServiceForCliTests Cluster => _app.Services.GetRequiredService<FakeClusterServiceForCliTests>();

    public FakeModelRegistryForCliTests Models => _app.Services.GetRequiredService<FakeModelRegistryForCliTests>();

    public FakeDatasetServiceForCliTests Datasets => _app.Services.GetRequiredService<FakeDatasetServiceForCliTests>();

    public FakeArtifactServiceForCliTests Artifacts => _app.Services.GetRequiredService<FakeArtifactServiceForCliTests>();

    public FakeDeploymentServiceForCliTests Deployments => _app.Services.GetRequiredService<FakeDeploymentServiceForCliTests>();

    public FakeRetrainingServiceForCliTests Retraining => _app.Services.GetRequiredService<FakeRetrainingServiceForCliTests>();

    public FakePipelineServiceForCliTests Pipelines => _app.Services.GetRequiredService<FakePipelineServiceForCliTests>();

    public static async Task<FakeCoordinatorForCliTests> StartAsync()
    {
        var (app, address) = await LoopbackGrpcHost.StartAsync(
            services =>
            {
                services.AddSingleton<FakeJobServiceForCliTests>();
                services.AddSingleton<FakeClusterServiceForCliTests>();
                services.AddSingleton<FakeModelRegistryForCliTests>();
                services.AddSingleton<FakeDatasetServiceForCliTests>();
                services.AddSingleton<FakeArtifactServiceForCliTests>();
                services.AddSingleton<FakeDeploymentServiceForCliTests>();
                services.AddSingleton<FakeRetrainingServiceForCliTests>();
                services.AddSingleton<FakePipelineServiceForCliTests>();
            },
            endpoints =>
            {
                endpoints.MapGrpcService<FakeJobServiceForCliTests>();
                endpoints.MapGrpcService<FakeClusterServiceForCliTests>();
                endpoints.MapGrpcService<FakeModelRegistryForCliTests>();
                endpoints.MapGrpcService<FakeDatasetServiceForCliTests>();
                endpoints.MapGrpcService<FakeArtifactServiceForCliTests>();
                endpoints.MapGrpcService<FakeDeploymentServiceForCliTests>();
                endpoints.MapGrpcService<FakeRetrainingServiceForCliTests>();
                endpoints.MapGrpcService<FakePipelineServiceForCliTests>();
            });
        return new FakeCoordinatorForCliTests(app, address);
    }

    public ValueTask DisposeAsync() => LoopbackGrpcHost.StopAsync(_app);
}
