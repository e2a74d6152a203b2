using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MlOps.Artifacts;
using MlOps.Contracts;
using MlOps.Coordinator.Hosting;

namespace MlOps.Coordinator.Tests.Infrastructure;

/// <summary>
/// The real coordinator host (same composition as Program.cs) on a dynamic loopback port, with a
/// <see cref="GrpcChannel"/> to it. Configured through command-line style arguments, as an operator would.
/// </summary>
internal sealed class CoordinatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CoordinatorHost(WebApplication app, string address)
    {
        _app = app;
        Address = address;
        Channel = GrpcChannel.ForAddress(address);
        Jobs = new JobService.JobServiceClient(Channel);
        Cluster = new ClusterService.ClusterServiceClient(Channel);
        Artifacts = new ArtifactService.ArtifactServiceClient(Channel);
        Models = new ModelRegistry.ModelRegistryClient(Channel);
        Datasets = new DatasetService.DatasetServiceClient(Channel);
    }

    public string Address { get; }

    public GrpcChannel Channel { get; }

    public JobService.JobServiceClient Jobs { get; }

    public ClusterService.ClusterServiceClient Cluster { get; }

    public ArtifactService.ArtifactServiceClient Artifacts { get; }

    public ModelRegistry.ModelRegistryClient Models { get; }

    public DatasetService.DatasetServiceClient Datasets { get; }

    /// <summary>The coordinator's own artifact store (by default an OCI layout under the data directory).</summary>
    public IArtifactStore Store => Services.GetRequiredService<IArtifactStore>();

    public IServiceProvider Services => _app.Services;

    /// <summary>Starts a host on <paramref name="dataDirectory"/> with the tiny dataset at <paramref name="datasetPath"/>.</summary>
    public static async Task<CoordinatorHost> StartAsync(string dataDirectory, string datasetPath, params string[] extraArgs)
    {
        string[] args =
        [
            "--Coordinator:Listen=http://127.0.0.1:0",
            $"--Coordinator:DataDirectory={dataDirectory}",
            "--Coordinator:SchedulerInterval=00:00:00.250",
            $"--Datasets:tiny:Path={datasetPath}",
            .. extraArgs,
        ];
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.AddCoordinator();
        var app = builder.Build();
        app.MapCoordinator();
        try
        {
            await app.StartAsync();
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        var address = app.Services.GetRequiredService<ListeningAnnouncer>().Addresses.Single();
        return new CoordinatorHost(app, address);
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
