using System.Threading.Channels;
using MlOps.Agent.Jobs;
using MlOps.Contracts;

namespace MlOps.Agent.Session;

/// <summary>An unbounded, ordered queue of messages for the coordinator, drained by the connected session.</summary>
internal sealed class AgentOutbox : IAgentOutbox
{
    private readonly Channel<AgentMessage> _channel = Channel.CreateUnbounded<AgentMessage>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<AgentMessage> Reader => _channel.Reader;

    public void Post(AgentMessage message) => _channel.Writer.TryWrite(message);
}
