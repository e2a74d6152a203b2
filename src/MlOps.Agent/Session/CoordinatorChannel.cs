using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using MlOps.Agent.Options;
using MlOps.Client.Rpc;

namespace MlOps.Agent.Session;

/// <summary>
/// The agent's HTTP/2 channels to the coordinators, shared by the session stream and artifact transfers. With several
/// coordinator addresses (high availability), calls go to the leader: a follower's redirect or an unreachable
/// coordinator moves them on (<see cref="CoordinatorCallInvoker"/>).
/// </summary>
internal sealed class CoordinatorChannel : IDisposable
{
    public CoordinatorChannel(IOptions<AgentOptions> options)
    {
        Invoker = new CoordinatorCallInvoker(CoordinatorCallInvoker.ParseList(options.Value.CoordinatorAddress), Create);
    }

    /// <summary>The coordinator calls go to now.</summary>
    public string Address => Invoker.Current;

    public CoordinatorCallInvoker Invoker { get; }

    /// <summary>The invoker as the generated clients take it.</summary>
    public CallInvoker Channel => Invoker;

    private static GrpcChannel Create(string address) => GrpcChannel.ForAddress(address, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            KeepAlivePingDelay = TimeSpan.FromSeconds(10),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(5),
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(5),
            EnableMultipleHttp2Connections = true,
        },
        // Artifact chunks are 1 MiB and manifests up to 4 MiB; the coordinator's artifact service accepts 8 MiB.
        MaxReceiveMessageSize = 8 * 1024 * 1024,
        MaxSendMessageSize = 8 * 1024 * 1024,
    });

    public void Dispose() => Invoker.Dispose();
}
