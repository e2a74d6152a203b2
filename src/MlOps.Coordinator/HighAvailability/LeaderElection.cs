using System.Text;
using Microsoft.Extensions.Options;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Hosting;
using MlOps.Discovery;
using MlOps.Discovery.Locking;
using MlOps.Discovery.Services;

namespace MlOps.Coordinator.HighAvailability;

/// <summary>
/// With high availability on: once the server listens, registers this coordinator in Consul (service
/// <c>mlops-coordinator</c> with a gRPC health check), then contends for the lock <see cref="HighAvailabilityOptions.LockKey"/>
/// with a session tied to that check, so a killed leader's session ends within about a check interval. The winner
/// recovers (<see cref="CoordinatorStartup.RecoverAsync"/>) and leads; a leader that loses the lock stops the process
/// (exit code <see cref="LostLeadershipExitCode"/>) and its service manager starts it again as a follower. A graceful
/// stop releases the lock at once.
/// </summary>
internal sealed class LeaderElection(
    IConsulClient consul,
    IOptions<CoordinatorOptions> options,
    Leadership leadership,
    LeaderLocator locator,
    CoordinatorStartup startup,
    MlOps.Coordinator.Storage.ICoordinatorStore store,
    ListeningAnnouncer listening,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILoggerFactory loggers,
    ILogger<LeaderElection> logger) : BackgroundService
{
    /// <summary>Exit code of a coordinator that lost its leadership (EX_TEMPFAIL): restart it and it follows.</summary>
    public const int LostLeadershipExitCode = 75;

    public const string ServiceName = "mlops-coordinator";

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    /// <summary>True once leadership was lost (the host is stopping because of it).</summary>
    public bool LostLeadership { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var ha = options.Value.HighAvailability;
        if (!await WaitForServerAsync(stoppingToken))
        {
            return;
        }

        var (advertised, checkTarget) = Addresses(ha);
        locator.Self = advertised;
        var serviceId = $"{ServiceName}-{new Uri(advertised).Host}-{new Uri(advertised).Port}";
        var checkId = serviceId + ":grpc";
        await using var election = new ConsulLock(consul, new ConsulLockOptions
        {
            Key = ha.LockKey,
            Value = Encoding.UTF8.GetBytes(advertised),
            SessionName = $"{ServiceName} {advertised}",
            SessionTtl = ha.SessionTtl,
            LockDelay = ha.LockDelay,
            SessionChecks = ["serfHealth", checkId],
        }, time, loggers.CreateLogger<ConsulLock>());

        CancellationToken term;
        while (true)
        {
            try
            {
                await RegisterAsync(serviceId, checkId, advertised, checkTarget, ha, stoppingToken);
                HighAvailabilityLog.Contending(logger, advertised, ha.LockKey);
                term = await election.AcquireAsync(stoppingToken);
                break;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await DeregisterAsync(serviceId);
                return;
            }
            catch (Exception ex)
            {
                HighAvailabilityLog.ElectionFailed(logger, ex.Message, RetryDelay);
                await Task.Delay(RetryDelay, time, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        // Fencing: the store refuses writes of any coordinator that claimed before us, and tells us when someone claims
        // after us (a leader that lost the lock without noticing yet finds out at its next write).
        using var fenced = new CancellationTokenSource();
        void OnFenced(object? sender, MlOps.Coordinator.Storage.StaleWriterException e)
        {
            HighAvailabilityLog.Fenced(logger, e.Message);
            fenced.Cancel();
        }

        store.WritesFenced += OnFenced;
        try
        {
            var epoch = await store.ClaimWritesAsync(advertised, stoppingToken);
            await startup.RecoverAsync(stoppingToken);
            leadership.BecomeLeader();
            HighAvailabilityLog.Leading(logger, advertised, election.LockIndex ?? 0, epoch);
            using var leading = CancellationTokenSource.CreateLinkedTokenSource(term, stoppingToken, fenced.Token);
            await Task.Delay(Timeout.Infinite, leading.Token);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Graceful stop: disposing the lock releases the key, so a follower takes over without waiting for a TTL.
            await election.ReleaseAsync(CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await DeregisterAsync(serviceId);
            return;
        }
        catch (OperationCanceledException)
        {
            // The term ended without a stop: the lock was lost.
        }
        catch (Exception ex)
        {
            HighAvailabilityLog.RecoveryFailed(logger, ex);
        }

        store.WritesFenced -= OnFenced;
        LostLeadership = true;
        Environment.ExitCode = LostLeadershipExitCode;
        HighAvailabilityLog.LostLeadership(logger, ha.LockKey);
        lifetime.StopApplication();
    }

    private async Task<bool> WaitForServerAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        try
        {
            await started.Task.WaitAsync(stoppingToken);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>The address to advertise and the host:port Consul's gRPC check dials.</summary>
    private (string Advertised, string CheckTarget) Addresses(HighAvailabilityOptions ha)
    {
        var bound = listening.Addresses is [var first, ..] ? first : options.Value.Listen;
        var uri = new Uri(bound.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal));
        var wildcard = uri.Host is "0.0.0.0" or "[::]" or "::";
        var checkTarget = $"{(wildcard ? "127.0.0.1" : uri.Host)}:{uri.Port}";
        if (!string.IsNullOrWhiteSpace(ha.AdvertiseAddress))
        {
            return (ha.AdvertiseAddress.TrimEnd('/'), checkTarget);
        }

        if (wildcard)
        {
            HighAvailabilityLog.WildcardAdvertised(logger, bound);
            return ($"{uri.Scheme}://{Environment.MachineName}:{uri.Port}", checkTarget);
        }

        return ($"{uri.Scheme}://{uri.Authority}", checkTarget);
    }

    private Task RegisterAsync(string serviceId, string checkId, string advertised, string checkTarget, HighAvailabilityOptions ha, CancellationToken cancellationToken)
    {
        var uri = new Uri(advertised);
        return consul.RegisterServiceAsync(new ServiceRegistration
        {
            Name = ServiceName,
            Id = serviceId,
            Address = uri.Host,
            Port = uri.Port,
            Meta = new Dictionary<string, string> { ["grpc_address"] = advertised },
            Checks =
            [
                CheckDefinition.ForGrpc(checkId, checkTarget, ha.CheckInterval) with
                {
                    Timeout = ha.CheckInterval,
                    // Over mutual TLS Consul dials without a client certificate (allowed) and without the cluster CA, so
                    // it cannot verify ours: the check asks only whether the coordinator answers.
                    GrpcUseTls = options.Value.Tls.Enabled,
                    TlsSkipVerify = options.Value.Tls.Enabled,
                    // A session cannot be tied to a critical check, and the server already answers: start passing.
                    InitialStatus = CheckStatus.Passing,
                    DeregisterCriticalServiceAfter = TimeSpan.FromMinutes(1),
                    Notes = "the coordinator's gRPC health service; the leader's session ends when this fails",
                },
            ],
        }, cancellationToken);
    }

    private async Task DeregisterAsync(string serviceId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
            await consul.DeregisterServiceAsync(serviceId, timeout.Token);
        }
        catch (Exception ex) when (ex is ConsulException or OperationCanceledException or HttpRequestException)
        {
            HighAvailabilityLog.DeregisterFailed(logger, serviceId, ex.Message);
        }
    }
}
