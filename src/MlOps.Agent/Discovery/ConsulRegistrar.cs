using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MlOps.Agent.Inventory;
using MlOps.Agent.Options;
using MlOps.Contracts;
using MlOps.Discovery;
using MlOps.ServiceDefaults;

namespace MlOps.Agent.Discovery;

/// <summary>
/// Keeps this agent's Consul registrations true (docs/discovery.md, "In the cluster"): <c>mlops-agent</c> for the
/// process and one <c>mlops-model</c> per READY version, each with a TTL check passed every
/// <see cref="AgentConsulOptions.PassInterval"/>. A serving change (<see cref="IServingView.Changed"/>) registers or
/// deregisters versions at once; the timer also picks up versions loaded through the repository API. On a graceful
/// stop everything is deregistered. Consul is never in the way of training or serving: a failure is logged
/// (throttled) and the next pass registers everything again, in case Consul lost it.
/// </summary>
internal sealed partial class ConsulRegistrar(
    IConsulClient consul,
    IServingView serving,
    INvml nvml,
    IOptions<AgentOptions> options,
    TimeProvider time,
    ILogger<ConsulRegistrar> logger) : BackgroundService
{
    /// <summary>Limit of the deregistration on a graceful stop, so a Consul outage does not hold the shutdown.</summary>
    public static readonly TimeSpan DeregisterTimeout = TimeSpan.FromSeconds(5);

    private readonly FailureThrottle _failures = new(time, TimeSpan.FromMinutes(1));
    private readonly HashSet<ReadyVersion> _models = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TaskCompletionSource _changed = NewSignal();
    private AgentCapacity? _capacity;
    private bool _agentRegistered;
    private bool _resync;

    /// <summary>The model versions registered (as far as this agent knows).</summary>
    public IReadOnlyCollection<ReadyVersion> Registered
    {
        get
        {
            _gate.Wait();
            try
            {
                return [.. _models];
            }
            finally
            {
                _gate.Release();
            }
        }
    }

    /// <summary>
    /// One pass: registers the agent if it is not (or may no longer be) registered, deregisters versions no longer
    /// READY, registers new ones, and with <paramref name="passChecks"/> passes every TTL check. Returns false when
    /// Consul failed (logged, throttled); the next pass then registers everything again.
    /// </summary>
    public async Task<bool> RunOnceAsync(bool passChecks, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var addresses = serving.Addresses;
            if (!_agentRegistered)
            {
                _capacity ??= NodeInventory.Read(settings, nvml).Capacity;
                await consul.RegisterServiceAsync(
                    ConsulRegistrations.Agent(settings.Id, Environment.MachineName, _capacity, addresses, settings.Consul), cancellationToken);
                _agentRegistered = true;
                LogAgentRegistered(settings.Id, settings.Consul.CheckTtl);
            }
            else if (passChecks)
            {
                await consul.PassTtlAsync(ClusterServices.CheckId(settings.Id), "running", cancellationToken);
            }

            var ready = addresses is { GrpcAddress.Length: > 0 } ? serving.ReadyVersions().ToHashSet() : [];
            foreach (var gone in _models.Where(m => !ready.Contains(m)).ToList())
            {
                await consul.DeregisterServiceAsync(ClusterServices.ModelServiceId(settings.Id, gone.Model, gone.Version), cancellationToken);
                _models.Remove(gone);
                LogModelDeregistered(gone.Model, gone.Version);
            }

            foreach (var version in ready)
            {
                var known = _models.Contains(version);
                if (!known || _resync)
                {
                    await consul.RegisterServiceAsync(ConsulRegistrations.Model(settings.Id, version, addresses, settings.Consul)!, cancellationToken);
                    _models.Add(version);
                    if (!known)
                    {
                        LogModelRegistered(version.Model, version.Version, addresses!.GrpcAddress);
                    }
                }
                else if (passChecks)
                {
                    await consul.PassTtlAsync(ClusterServices.CheckId(ClusterServices.ModelServiceId(settings.Id, version.Model, version.Version)), "READY", cancellationToken);
                }
            }

            _resync = false;
            if (_failures.Succeeded(out var failures))
            {
                LogRecovered(failures);
            }

            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Consul may have lost our registrations (an agent restarted without its data): register all of them again.
            _agentRegistered = false;
            _resync = true;
            if (_failures.Failed(out var suppressed))
            {
                if (suppressed == 0)
                {
                    LogFailed(settings.Consul.Address, ex.Message);
                }
                else
                {
                    LogStillFailing(settings.Consul.Address, suppressed, ex.Message);
                }
            }

            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes every registration of this agent; failures are logged and ignored (they expire in Consul).</summary>
    public async Task DeregisterAllAsync(CancellationToken cancellationToken)
    {
        var agentId = options.Value.Id;
        try
        {
            await _gate.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogDeregisterFailed(agentId, "timed out waiting for the current pass");
            return;
        }

        try
        {
            foreach (var model in _models)
            {
                await consul.DeregisterServiceAsync(ClusterServices.ModelServiceId(agentId, model.Model, model.Version), cancellationToken);
            }

            _models.Clear();
            await consul.DeregisterServiceAsync(agentId, cancellationToken);
            _agentRegistered = false;
            LogDeregistered(agentId);
        }
        catch (Exception ex)
        {
            LogDeregisterFailed(agentId, ex.Message);
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        using var limit = new CancellationTokenSource(DeregisterTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, limit.Token);
        await DeregisterAllAsync(linked.Token);
    }

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Consul;
        LogStarted(settings.Address, settings.PassInterval, settings.CheckTtl);
        using var timer = new PeriodicTimer(settings.PassInterval, time);
        serving.Changed += OnServingChanged;
        try
        {
            await RunOnceAsync(passChecks: true, stoppingToken);
            Task<bool>? tick = null;
            while (!stoppingToken.IsCancellationRequested)
            {
                tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
                var changed = Volatile.Read(ref _changed).Task;
                var passChecks = false;
                if (await Task.WhenAny(tick, changed) == tick)
                {
                    if (!await tick)
                    {
                        break;
                    }

                    tick = null;
                    passChecks = true;
                }
                else
                {
                    // Reset before the pass: a change after this point wakes the loop again.
                    Interlocked.Exchange(ref _changed, NewSignal());
                }

                await RunOnceAsync(passChecks, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; StopAsync deregisters.
        }
        finally
        {
            serving.Changed -= OnServingChanged;
        }
    }

    private void OnServingChanged(object? sender, EventArgs e) => Volatile.Read(ref _changed).TrySetResult();

    // Continuations run elsewhere: the event is raised under the serving reconciler's lock.
    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Registering in Consul at {Address}: checks passed every {PassInterval}, TTL {Ttl}")]
    private partial void LogStarted(string address, TimeSpan passInterval, TimeSpan ttl);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Registered mlops-agent {AgentId} in Consul (TTL {Ttl})")]
    private partial void LogAgentRegistered(string agentId, TimeSpan ttl);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Information, Message = "Registered mlops-model {Model} version {Version} at {GrpcAddress} in Consul")]
    private partial void LogModelRegistered(string model, string version, string grpcAddress);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Information, Message = "Deregistered mlops-model {Model} version {Version} from Consul")]
    private partial void LogModelDeregistered(string model, string version);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Warning, Message = "Consul at {Address} failed; training and serving go on, retrying every pass: {Reason}")]
    private partial void LogFailed(string address, string reason);

    [LoggerMessage(EventId = 2209, Level = LogLevel.Warning, Message = "Consul at {Address} still failing ({Suppressed} more failed pass(es) since the last report): {Reason}")]
    private partial void LogStillFailing(string address, int suppressed, string reason);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Information, Message = "Consul registration restored after {Failures} failed pass(es)")]
    private partial void LogRecovered(int failures);

    [LoggerMessage(EventId = 2207, Level = LogLevel.Information, Message = "Deregistered agent {AgentId} and its models from Consul")]
    private partial void LogDeregistered(string agentId);

    [LoggerMessage(EventId = 2208, Level = LogLevel.Warning, Message = "Deregistering agent {AgentId} from Consul failed; its checks will turn critical instead: {Reason}")]
    private partial void LogDeregisterFailed(string agentId, string reason);
}
