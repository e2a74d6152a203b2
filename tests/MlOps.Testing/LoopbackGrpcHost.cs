using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MlOps.Testing;

/// <summary>
/// A real Kestrel host on loopback (h2c) with a port the OS picks, so test doubles of gRPC services are reached over
/// a real socket and tests run in parallel.
/// </summary>
public static class LoopbackGrpcHost
{
    /// <summary>Starts a host with gRPC and the service <paramref name="service"/> (registered as a singleton).</summary>
    public static Task<(WebApplication App, string Address)> StartAsync<TService>(TService service)
        where TService : class =>
        StartAsync(services => services.AddSingleton(service), endpoints => endpoints.MapGrpcService<TService>());

    /// <summary>Starts a host with gRPC, the services <paramref name="register"/> adds and the endpoints
    /// <paramref name="map"/> maps.</summary>
    public static async Task<(WebApplication App, string Address)> StartAsync(Action<IServiceCollection> register, Action<IEndpointRouteBuilder> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        register(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, address);
    }

    public static async ValueTask StopAsync(WebApplication app)
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
