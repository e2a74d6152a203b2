namespace MlOps.Coordinator.HighAvailability;

/// <summary>
/// Whether this coordinator leads. Only the leader schedules, watches leases and agents, drives deployments and
/// answers calls; the loops that write shared state wait on <see cref="WaitQuietlyAsync"/>. A single coordinator leads from
/// the end of its start-up recovery; with high availability a coordinator leads once it holds the Consul lock and has
/// recovered. Leadership is never handed back: a leader that loses the lock stops (crash-only), so no loop ever has
/// to unwind half-applied leader state.
/// </summary>
public sealed class Leadership
{
    private readonly TaskCompletionSource _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsLeader => _leading.Task.IsCompleted;

    /// <summary>Waits for the leadership; false when <paramref name="stoppingToken"/> ends the wait first.</summary>
    public async Task<bool> WaitQuietlyAsync(CancellationToken stoppingToken)
    {
        await _leading.Task.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return IsLeader;
    }

    internal void BecomeLeader() => _leading.TrySetResult();
}
