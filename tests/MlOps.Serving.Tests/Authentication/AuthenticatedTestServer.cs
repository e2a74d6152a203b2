using System.Net;
using System.Security.Cryptography.X509Certificates;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MlOps.Contracts.Inference;
using MlOps.Core.Certificates;
using MlOps.Serving.Authentication;
using MlOps.Serving.Protocol;
using MlOps.Serving.Tests.Protocol.Support;
using MlOps.Testing;

namespace MlOps.Serving.Tests.Authentication;

/// <summary>
/// The protocol layer with inference authentication in a real Kestrel host on loopback: a gRPC (HTTP/2) and a REST
/// (HTTP/1.1) port, composed as the agent does (<c>AddInferenceAuthentication</c>, <c>UseInferenceAuthentication</c>,
/// TLS through <see cref="InferenceAuthenticationOptions.ConfigureHttps"/> when a server certificate is given).
/// Clients are made per test, with or without a token and a client certificate.
/// </summary>
internal sealed class AuthenticatedTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<IDisposable> _clients = [];

    private AuthenticatedTestServer(WebApplication app, string scheme, int grpcPort, int restPort, X509Certificate2? authority)
    {
        _app = app;
        GrpcAddress = $"{scheme}://127.0.0.1:{grpcPort}";
        RestAddress = $"{scheme}://127.0.0.1:{restPort}";
        Authority = authority;
    }

    public string GrpcAddress { get; }

    public string RestAddress { get; }

    /// <summary>The CA the server's certificate chains to, which clients trust; null without TLS.</summary>
    public X509Certificate2? Authority { get; }

    /// <param name="options">Mode and the CA client certificates must chain to.</param>
    /// <param name="credentials">The token set the check reads; the test replaces its snapshot.</param>
    /// <param name="serverCertificate">With one, both ports use TLS; it must name 127.0.0.1.</param>
    /// <param name="serverAuthority">The CA of <paramref name="serverCertificate"/>, which clients trust.</param>
    public static async Task<AuthenticatedTestServer> StartAsync(InferenceAuthenticationOptions options, InferenceCredentialSet credentials,
        X509Certificate2? serverCertificate = null, X509Certificate2? serverAuthority = null)
    {
        var grpcPort = FreePort.Next();
        var restPort = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            void Listen(int port, HttpProtocols protocols) => kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = protocols;
                if (serverCertificate is not null)
                {
                    listen.UseHttps(https => options.ConfigureHttps(https, serverCertificate));
                }
            });
            Listen(grpcPort, HttpProtocols.Http2);
            Listen(restPort, HttpProtocols.Http1);
        });
        builder.Services.AddSingleton<Models.IModelRepository>(OpenInferenceTestServer.StandardRepository());
        builder.Services.AddOpenInference();
        builder.Services.AddInferenceAuthentication(options, credentials);
        var app = builder.Build();
        app.UseInferenceAuthentication();
        app.MapOpenInference();
        await app.StartAsync();
        return new AuthenticatedTestServer(app, serverCertificate is null ? "http" : "https", grpcPort, restPort, serverAuthority);
    }

    /// <summary>A gRPC client that sends <paramref name="token"/> and presents <paramref name="certificate"/> when given.</summary>
    public GRPCInferenceService.GRPCInferenceServiceClient Grpc(string? token = null, X509Certificate2? certificate = null) =>
        new(GrpcChannel(token, certificate));

    public GrpcChannel GrpcChannel(string? token = null, X509Certificate2? certificate = null)
    {
        var channel = global::Grpc.Net.Client.GrpcChannel.ForAddress(GrpcAddress, new GrpcChannelOptions
        {
            HttpHandler = Handler(token, certificate),
            DisposeHttpClient = true,
        });
        _clients.Add(channel);
        return channel;
    }

    /// <summary>An HTTP client for the REST port that sends <paramref name="token"/> and presents <paramref name="certificate"/> when given.</summary>
    public HttpClient Rest(string? token = null, X509Certificate2? certificate = null)
    {
        var http = new HttpClient(Handler(token, certificate)) { BaseAddress = new Uri(RestAddress), Timeout = TimeSpan.FromSeconds(30) };
        _clients.Add(http);
        return http;
    }

    private HttpMessageHandler Handler(string? token, X509Certificate2? certificate)
    {
        var handler = new SocketsHttpHandler();
        if (Authority is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = ClusterTrust.ValidationCallback(Authority, ClusterRoles.ServerAuthentication);
        }

        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = [certificate];
        }

        return token is null ? handler : new BearerHandler(token) { InnerHandler = handler };
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>Adds the token to every request that carries no authorization of its own.</summary>
    private sealed class BearerHandler(string token) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization ??= new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
