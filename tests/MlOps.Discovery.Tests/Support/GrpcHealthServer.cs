using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using MlOps.Testing;

namespace MlOps.Discovery.Tests.Support;

/// <summary>Kestrel serving only grpc.health.v1 over cleartext HTTP/2 on 127.0.0.1, as a service's health endpoint
/// that a Consul gRPC check probes; the overall status ("" service) is SERVING.</summary>
internal sealed class GrpcHealthServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GrpcHealthServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<GrpcHealthServer> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        // With no check registered the health service answers UNKNOWN, which Consul reads as critical.
        builder.Services.AddGrpcHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy());
        var app = builder.Build();
        app.MapGrpcHealthChecksService();
        await app.StartAsync();
        return new GrpcHealthServer(app, port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
