using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Agent.Options;
using MlOps.Agent.Session;
using MlOps.Artifacts;
using MlOps.Contracts;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Protocol;
using Serilog;

namespace MlOps.Agent.Serving;

/// <summary>
/// The agent's inference endpoints: a Kestrel host, started only when <c>Agent:Serving</c> names a listen address,
/// serving the node's model repository over the Open Inference Protocol (gRPC and REST). Models are loaded by name
/// through the protocol's repository API, from the registry via the node-local cache.
/// </summary>
internal sealed partial class ServingHost(
    IOptions<AgentOptions> options,
    IArtifactStore store,
    CoordinatorChannel coordinator,
    ILogger<ServingHost> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Serving.Enabled)
        {
            LogDisabled();
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSerilog(Log.Logger, dispose: false);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listen(kestrel, settings.Serving.GrpcListen, HttpProtocols.Http2);
            Listen(kestrel, settings.Serving.RestListen, HttpProtocols.Http1AndHttp2);
        });
        builder.Services.AddModelHost();
        builder.Services.AddOpenInference(o => o.ServerName = "mlops-agent");

        _app = builder.Build();
        var loader = new RegistryModelLoader(new ModelRegistry.ModelRegistryClient(coordinator.Channel), store, Path.Combine(settings.DataDirectory, "models"));
        _app.Services.GetRequiredService<ModelRepository>().UseLoader(loader.LoadAsync);
        _app.MapOpenInference();
        await _app.StartAsync(cancellationToken);
        LogServing(settings.Serving.GrpcListen, settings.Serving.RestListen);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_app is not null)
        {
            await _app.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private static void Listen(KestrelServerOptions kestrel, string address, HttpProtocols protocols)
    {
        if (!string.IsNullOrWhiteSpace(address) && ListenAddress.TryParse(address, out var endPoint))
        {
            kestrel.Listen(endPoint, listen => listen.Protocols = protocols);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Inference endpoints disabled (set Agent:Serving:GrpcListen / RestListen to serve models)")]
    private partial void LogDisabled();

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Serving the Open Inference Protocol: gRPC on {Grpc}, REST on {Rest}")]
    private partial void LogServing(string grpc, string rest);
}
