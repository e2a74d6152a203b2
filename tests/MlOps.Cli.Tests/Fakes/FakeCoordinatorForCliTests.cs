using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>
/// TEST DOUBLE: a real Kestrel gRPC server on a dynamic loopback port (h2c), hosting the fake JobService,
/// ClusterService, ModelRegistry, DatasetService, ArtifactService and DeploymentService in-process, so the CLI runs over a real channel exactly as against the coordinator.
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

    public static async Task<FakeCoordinatorForCliTests> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<FakeJobServiceForCliTests>();
        builder.Services.AddSingleton<FakeClusterServiceForCliTests>();
        builder.Services.AddSingleton<FakeModelRegistryForCliTests>();
        builder.Services.AddSingleton<FakeDatasetServiceForCliTests>();
        builder.Services.AddSingleton<FakeArtifactServiceForCliTests>();
        builder.Services.AddSingleton<FakeDeploymentServiceForCliTests>();
        var app = builder.Build();
        app.MapGrpcService<FakeJobServiceForCliTests>();
        app.MapGrpcService<FakeClusterServiceForCliTests>();
        app.MapGrpcService<FakeModelRegistryForCliTests>();
        app.MapGrpcService<FakeDatasetServiceForCliTests>();
        app.MapGrpcService<FakeArtifactServiceForCliTests>();
        app.MapGrpcService<FakeDeploymentServiceForCliTests>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new FakeCoordinatorForCliTests(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
