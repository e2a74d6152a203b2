using System.Collections.Concurrent;
using MlOps.Agent.Jobs;
using MlOps.Contracts;

namespace MlOps.Agent.Tests.Jobs;

/// <summary>Test double for the coordinator stream: keeps every message the agent posts.</summary>
internal sealed class RecordingOutbox : IAgentOutbox
{
    public ConcurrentQueue<AgentMessage> Messages { get; } = new();

    public void Post(AgentMessage message) => Messages.Enqueue(message);

    public IEnumerable<string> LogLines => Messages.Where(m => m.Logs is not null).SelectMany(m => m.Logs.Lines).Select(l => l.Text);
}
