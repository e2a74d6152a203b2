using System.Collections.Concurrent;

namespace MlOps.Coordinator.Agents;

/// <summary>
/// One async lock per agent, held while the agent's session or lease changes (hello and reconciliation,
/// stream closed, lease expired) and while a job is assigned to or cancelled on it. This keeps "which jobs
/// does this agent hold" consistent with "which stream do we send to".
/// </summary>
internal sealed class AgentLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public async Task<IDisposable> AcquireAsync(string agentId, CancellationToken cancellationToken)
    {
        var semaphore = _locks.GetOrAdd(agentId, _ => new SemaphoreSlim(1, 1));
        await semaphore.WaitAsync(cancellationToken);
        return new Releaser(semaphore);
    }

    private sealed class Releaser(SemaphoreSlim semaphore) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                semaphore.Release();
            }
        }
    }
}
