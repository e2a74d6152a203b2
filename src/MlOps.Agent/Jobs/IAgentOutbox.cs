using MlOps.Contracts;

namespace MlOps.Agent.Jobs;

/// <summary>Messages for the coordinator. Posting never blocks; messages wait while the stream is down and
/// are sent, in order, once the agent has reconnected.</summary>
internal interface IAgentOutbox
{
    void Post(AgentMessage message);
}
