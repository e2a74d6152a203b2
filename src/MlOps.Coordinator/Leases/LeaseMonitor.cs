using MlOps.Coordinator.Agents;

namespace MlOps.Coordinator.Leases;

/// <summary>
/// Checks agent leases on a timer from the injected <see cref="TimeProvider"/> (so tests drive it with a
/// fake clock) and hands each expired agent to <see cref="AgentLossHandler"/> under the agent's lock. A lease
/// renewed between the check and the lock is left alone.
/// </summary>
internal sealed class LeaseMonitor(
    AgentLeaseTable leases,
    AgentLocks locks,
    AgentLossHandler loss,
    TimeProvider timeProvider,
    MlOps.Coordinator.HighAvailability.Leadership leadership,
    ILogger<LeaseMonitor> logger) : BackgroundService
{
    /// <summary>How often leases are checked: a tenth of the lease, at most once a second, so an agent is
    /// declared lost within 10% of the lease duration after it ran out.</summary>
    public TimeSpan CheckInterval => TimeSpan.FromTicks(Math.Clamp(leases.Duration.Ticks / 10, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));

    /// <summary>Expires every lease that has run out by now; returns the agents declared lost.</summary>
    public async Task<IReadOnlyList<string>> ExpireDueAsync(CancellationToken cancellationToken)
    {
        var lost = new List<string>();
        foreach (var agentId in leases.Expired())
        {
            using (await locks.AcquireAsync(agentId, cancellationToken))
            {
                if (!leases.TryExpire(agentId))
                {
                    continue;
                }

                await loss.HandleLostAsync(agentId, cancellationToken);
                lost.Add(agentId);
            }
        }

        return lost;
    }

    private PeriodicTimer? _timer;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The timer exists once StartAsync returns (ExecuteAsync may begin later on another thread), so a clock
        // advanced right after start is not missed.
        _timer = new PeriodicTimer(CheckInterval, timeProvider);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await leadership.WaitQuietlyAsync(stoppingToken))
        {
            return;
        }

        var timer = _timer ?? throw new InvalidOperationException("the lease monitor was not started");
        var interval = CheckInterval;
        LeaseLog.MonitorStarted(logger, leases.Duration, interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await ExpireDueAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LeaseLog.CheckFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
