using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using MlOps.Agent.Options;

namespace MlOps.Agent.Session;

/// <summary>The agent's one HTTP/2 channel to the coordinator, shared by the session stream and artifact transfers.</summary>
internal sealed class CoordinatorChannel : IDisposable
{
    public CoordinatorChannel(IOptions<AgentOptions> options)
    {
        Address = options.Value.CoordinatorAddress;
        Channel = GrpcChannel.ForAddress(Address, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                KeepAlivePingDelay = TimeSpan.FromSeconds(10),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                EnableMultipleHttp2Connections = true,
            },
            // Artifact chunks are 1 MiB and manifests up to 4 MiB; the coordinator's artifact service accepts 8 MiB.
            MaxReceiveMessageSize = 8 * 1024 * 1024,
            MaxSendMessageSize = 8 * 1024 * 1024,
        });
    }

    public string Address { get; }

    public GrpcChannel Channel { get; }

    public void Dispose() => Channel.Dispose();
}
