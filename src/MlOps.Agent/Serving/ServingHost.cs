using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Agent.Options;
using MlOps.Agent.Session;
using MlOps.Artifacts;
using MlOps.Contracts;
using MlOps.Core.Certificates;
using MlOps.Serving.Authentication;
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
    IConfiguration configuration,
    IArtifactStore store,
    CoordinatorChannel coordinator,
    ServingReconciler reconciler,
    InferenceCredentialSet credentials,
    ILogger<ServingHost> logger) : IHostedService, IAsyncDisposable
{
    private WebApplication? _app;
    private TlsCredentials? _tls;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Serving.Enabled)
        {
            LogDisabled();
            return;
        }

        var grpcEndPoint = Concrete(settings.Serving.GrpcListen);
        var restEndPoint = Concrete(settings.Serving.RestListen);
        // The options validator has checked the mode and the files; loading can still fail if they change meanwhile.
        var security = ServingSecurity.From(settings);
        _tls = security.LoadCredentials();
        var authentication = security.AuthenticationOptions(_tls?.Authority);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddSerilog(Log.Logger, dispose: false);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            Listen(kestrel, grpcEndPoint, HttpProtocols.Http2, authentication, _tls);
            Listen(kestrel, restEndPoint, HttpProtocols.Http1AndHttp2, authentication, _tls);
        });
        AddModelHost(builder.Services, configuration);
        builder.Services.AddOpenInference(o => o.ServerName = "mlops-agent");
        builder.Services.AddInferenceAuthentication(authentication, credentials);

        _app = builder.Build();
        var cache = new ModelCache(store, Path.Combine(settings.DataDirectory, "models"));
        var loader = new RegistryModelLoader(new ModelRegistry.ModelRegistryClient(coordinator.Channel), cache);
        var repository = _app.Services.GetRequiredService<ModelRepository>();
        repository.UseLoader(loader.LoadAsync);
        _app.UseInferenceAuthentication();
        _app.MapOpenInference();
        await _app.StartAsync(cancellationToken);

        var addresses = new ServingAddresses
        {
            GrpcAddress = Advertised(settings.Serving.GrpcAdvertise, grpcEndPoint, security.Scheme),
            RestAddress = Advertised(settings.Serving.RestAdvertise, restEndPoint, security.Scheme),
        };
        reconciler.Attach(repository, cache, addresses);
        LogServing(addresses.GrpcAddress, addresses.RestAddress);
        var (modeText, tlsText) = (security.Mode.Name(), _tls is null ? "off" : $"{_tls.Certificate.Subject} from {security.TlsSection}");
        LogSecurity(modeText, tlsText);
        if (security.Mode.AcceptsTokens() && _tls is null)
        {
            LogTokensInClear(ServingSecurity.ServingTlsSection);
        }
    }

    /// <summary>The section of the agent's configuration that holds the model host's settings.</summary>
    public const string HostSection = "Agent:Serving:Host";

    /// <summary>
    /// The model host, with its settings (intra-op threads, spinning, batching; <see cref="OnnxModelVersionOptions"/>)
    /// read from the agent's own configuration under <see cref="HostSection"/>, where an operator configures the
    /// rest of the agent (appsettings.json, the command line, environment variables such as
    /// <c>Agent__Serving__Host__AllowSpinning</c>). A standalone server
    /// reads them from <c>Serving:Host</c>; that still applies here, and the agent's section wins.
    /// </summary>
    internal static void AddModelHost(IServiceCollection services, IConfiguration agentConfiguration)
    {
        services.AddModelHost();
        services.AddOptions<OnnxModelVersionOptions>().Bind(agentConfiguration.GetSection(HostSection));
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

        _tls?.Dispose();
    }

    /// <summary>
    /// What clients are told: the configured advertise address, else the listen address (its port already concrete)
    /// with a wildcard host replaced by this machine's name.
    /// </summary>
    private static string Advertised(string advertise, IPEndPoint? endPoint, string scheme)
    {
        if (!string.IsNullOrWhiteSpace(advertise))
        {
            return advertise.TrimEnd('/');
        }

        if (endPoint is null)
        {
            return "";
        }

        var host = endPoint.Address.Equals(IPAddress.Any) || endPoint.Address.Equals(IPAddress.IPv6Any)
            ? Environment.MachineName
            : endPoint.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]" : endPoint.Address.ToString();
        return $"{scheme}://{host}:{endPoint.Port.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>The configured listen address with port 0 replaced by a free port, so the advertised address is known
    /// before Kestrel binds (Kestrel does not say which of its bound addresses is the gRPC one).</summary>
    private static IPEndPoint? Concrete(string address)
    {
        if (string.IsNullOrWhiteSpace(address) || !ListenAddress.TryParse(address, out var endPoint, out _))
        {
            return null;
        }

        if (endPoint.Port != 0)
        {
            return endPoint;
        }

        using var probe = new TcpListener(endPoint);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new IPEndPoint(endPoint.Address, port);
    }

    private static void Listen(KestrelServerOptions kestrel, IPEndPoint? endPoint, HttpProtocols protocols,
        InferenceAuthenticationOptions authentication, TlsCredentials? tls)
    {
        if (endPoint is not null)
        {
            kestrel.Listen(endPoint, listen =>
            {
                listen.Protocols = protocols;
                if (tls is not null)
                {
                    listen.UseHttps(https => authentication.ConfigureHttps(https, tls.Certificate));
                }
            });
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Inference endpoints disabled (set Agent:Serving:GrpcListen / RestListen to serve models)")]
    private partial void LogDisabled();

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Serving the Open Inference Protocol: gRPC on {Grpc}, REST on {Rest}")]
    private partial void LogServing(string grpc, string rest);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Inference endpoint authentication: {Mode}; TLS: {Tls}")]
    private partial void LogSecurity(string mode, string tls);

    [LoggerMessage(EventId = 2104, Level = LogLevel.Warning, Message = "Inference endpoints accept tokens without TLS: tokens cross the network in clear text (set {Section})")]
    private partial void LogTokensInClear(string section);
}
