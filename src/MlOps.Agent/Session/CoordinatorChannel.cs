using System.Net.Security;
using System.Security.Authentication;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using MlOps.Agent.Options;
using MlOps.Client.Rpc;
using MlOps.Core.Certificates;

namespace MlOps.Agent.Session;

/// <summary>
/// The agent's HTTP/2 channels to the coordinators, shared by the session stream and artifact transfers. With several
/// coordinator addresses (high availability), calls go to the leader: a follower's redirect or an unreachable
/// coordinator moves them on (<see cref="CoordinatorCallInvoker"/>). With <see cref="AgentOptions.Tls"/>,
/// <c>https://</c> coordinators are reached over mutual TLS: the agent presents its certificate, and accepts a
/// coordinator only when its certificate chains to the cluster CA with serverAuth and names the host dialled.
/// </summary>
internal sealed class CoordinatorChannel : IDisposable
{
    private readonly TlsCredentials? _tls;

    public CoordinatorChannel(IOptions<AgentOptions> options)
    {
        // The files were checked at start (AgentOptionsValidator); a failure here is a file changed since, named in the message.
        _tls = options.Value.Tls.Enabled ? options.Value.Tls.Load() : null;
        Invoker = new CoordinatorCallInvoker(CoordinatorCallInvoker.ParseList(options.Value.CoordinatorAddress), Create);
    }

    /// <summary>The coordinator calls go to now.</summary>
    public string Address => Invoker.Current;

    public CoordinatorCallInvoker Invoker { get; }

    /// <summary>The invoker as the generated clients take it.</summary>
    public CallInvoker Channel => Invoker;

    private GrpcChannel Create(string address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            EnableMultipleHttp2Connections = true,
            SslOptions = _tls is null ? new SslClientAuthenticationOptions() : MutualTls(_tls),
        },
        // Artifact chunks are 1 MiB and manifests up to 4 MiB; the coordinator's artifact service accepts 8 MiB.
        MaxReceiveMessageSize = 8 * 1024 * 1024,
        MaxSendMessageSize = 8 * 1024 * 1024,
    });

    /// <summary>The agent's side of mutual TLS (docs/security.md).</summary>
    internal static SslClientAuthenticationOptions MutualTls(TlsCredentials tls) => new()
    {
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        // Always the agent's own certificate, whatever issuers the server names.
        LocalCertificateSelectionCallback = (_, _, _, _, _) => tls.Certificate,
        RemoteCertificateValidationCallback = ClusterTrust.ValidationCallback(tls.Authority, ClusterRoles.ServerAuthentication),
        CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
    };

    public void Dispose()
    {
        Invoker.Dispose();
        _tls?.Dispose();
    }
}
