using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.Core.Certificates;

namespace MlOps.Testing;

/// <summary>
/// As <see cref="LoopbackGrpcHost"/>, over TLS the way the coordinator serves it: the server presents
/// <c>serverCertificate</c>, a client certificate is optional, and one that is presented must chain to
/// <c>authority</c> with clientAuth or the handshake fails. The address is <c>https://127.0.0.1:PORT</c>.
/// </summary>
public static class LoopbackTlsGrpcHost
{
    public static async Task<(WebApplication App, string Address)> StartAsync(
        X509Certificate2 serverCertificate, X509Certificate2 authority, Action<IServiceCollection> register, Action<IEndpointRouteBuilder> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = serverCertificate,
                ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                ClientCertificateValidation = (certificate, _, _) =>
                    ClusterTrust.Verify(certificate, authority, ClusterRoles.ClientAuthentication).Trusted,
            });
        }));
        builder.Services.AddGrpc();
        register(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return (app, address);
    }
}
