using Microsoft.Extensions.Options;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Leases;
using MlOps.Discovery;
using MlOps.ServiceDefaults;

namespace MlOps.Coordinator.Discovery;

/// <summary>
/// Follows <c>mlops-agent</c> health in Consul with blocking queries and treats an agent that Consul reports critical
/// (or that left Consul) as lost, through the same <see cref="AgentLossHandler"/> path as an expired lease — once the
/// agent has also been silent on its stream for <see cref="CoordinatorOptions.ConsulSilenceBeforeLoss"/>: Consul's
/// verdict alone could come from an agent that cannot reach its Consul agent while it trains on. Its lease is removed
/// first (atomically, only if still silent), so the lease monitor does not declare it lost a second time; a later
/// hello grants a new one. Only registered when <c>Coordinator:Consul:Address</c> is set. Consul failures are logged
/// (throttled) and retried with backoff; leases keep working meanwhile.
/// </summary>
internal sealed class ConsulAgentWatcher(
    IConsulClient consul,
    ConsulAgentHealth health,
    AgentLeaseTable leases,
    AgentLocks locks,
    AgentLossHandler loss,
    IOptions<CoordinatorOptions> options,
    TimeProvider time,
    MlOps.Coordinator.HighAvailability.Leadership leadership,
    ILogger<ConsulAgentWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly FailureThrottle _failures = new(time, TimeSpan.FromMinutes(1));
    private readonly SemaphoreSlim _evaluating = new(1, 1);
    private PeriodicTimer? _timer;

    /// <summary>How long an agent Consul reports down must also be silent before it is LOST.</summary>
    public TimeSpan Silence => options.Value.ConsulSilenceBeforeLoss;

    /// <summary>How often down agents are checked for silence: a quarter of it, between 50 ms and 1 s.</summary>
    public TimeSpan CheckInterval => TimeSpan.FromTicks(Math.Clamp(Silence.Ticks / 4, TimeSpan.TicksPerMillisecond * 50, TimeSpan.TicksPerSecond));

    /// <summary>One health read of <c>mlops-agent</c>, blocking when <paramref name="index"/> is not 0; updates the
    /// view, declares silent down agents lost, and returns the index to block on next.</summary>
    public async Task<ulong> PollAsync(ulong index, CancellationToken cancellationToken)
    {
        var query = index == 0 ? null : QueryOptions.Blocking(index, options.Value.Consul.WaitTime);
        var answer = await consul.GetServiceHealthAsync(ClusterServices.Agent, query: query, cancellationToken: cancellationToken);
        if (index == 0)
        {
            DiscoveryLog.Following(logger, answer.Value.Count, Silence);
            var selfFencing = options.Value.LeaseDuration - options.Value.HeartbeatInterval;
            if (Silence < selfFencing)
            {
                DiscoveryLog.SilenceShorterThanSelfFencing(logger, Silence, selfFencing);
            }

        }

        foreach (var change in health.Observe(answer.Value))
        {
            if (change.Down)
            {
                DiscoveryLog.AgentDown(logger, change.AgentId, change.Health);
            }
            else
            {
                DiscoveryLog.AgentUp(logger, change.AgentId);
            }
        }

        await LoseSilentAgentsAsync(cancellationToken);
        return answer.Index;
    }

    /// <summary>Declares lost every agent that Consul reports down and that has been silent long enough; returns them.</summary>
    public async Task<IReadOnlyList<string>> LoseSilentAgentsAsync(CancellationToken cancellationToken)
    {
        var lost = new List<string>();
        await _evaluating.WaitAsync(cancellationToken);
        try
        {
            foreach (var down in health.Down())
            {
                if (leases.ExpiresAt(down.AgentId) is null)
                {
                    // Unknown to this coordinator, or already lost: nothing to do until it says hello again.
                    health.ForgetIfUnlisted(down.AgentId);
                    continue;
                }

                using (await locks.AcquireAsync(down.AgentId, cancellationToken))
                {
                    if (health.Get(down.AgentId) is not { Down: true } current || !leases.TryExpireSilent(down.AgentId, Silence))
                    {
                        continue; // back in Consul meanwhile, or it still talks to us
                    }

                    await loss.HandleCriticalInConsulAsync(down.AgentId, current.Health, cancellationToken);
                    lost.Add(down.AgentId);
                }
            }
        }
        finally
        {
            _evaluating.Release();
        }

        return lost;
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _timer = new PeriodicTimer(CheckInterval, time);
        return base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _timer?.Dispose();
        _evaluating.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (await leadership.WaitQuietlyAsync(stoppingToken))
        {
            await Task.WhenAll(WatchAsync(stoppingToken), CheckSilenceAsync(stoppingToken));
        }
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        ulong index = 0;
        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                index = await PollAsync(index, stoppingToken);
                delay = FirstRetryDelay;
                if (_failures.Succeeded(out var failures))
                {
                    DiscoveryLog.WatchRecovered(logger, failures);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                if (_failures.Failed(out var suppressed))
                {
                    if (suppressed == 0)
                    {
                        DiscoveryLog.WatchFailed(logger, options.Value.Consul.Address, ex.Message);
                    }
                    else
                    {
                        DiscoveryLog.WatchStillFailing(logger, options.Value.Consul.Address, suppressed, ex.Message);
                    }
                }

                try
                {
                    await Task.Delay(delay, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>An agent reported down while it still talked to us becomes lost once it falls silent, without another
    /// change in Consul to wake the watch: checked on a timer.</summary>
    private async Task CheckSilenceAsync(CancellationToken stoppingToken)
    {
        var timer = _timer ?? throw new InvalidOperationException("the Consul watcher was not started");
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await LoseSilentAgentsAsync(stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    DiscoveryLog.CheckFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
