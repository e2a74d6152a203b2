using System.Collections.Immutable;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Deployments;

/// <summary>
/// Drives agents towards the stored deployments, on request (<see cref="DeploymentSignal"/>) and every
/// <see cref="CoordinatorOptions.DeploymentInterval"/>: move deployments that follow an alias to a new revision when
/// the alias moved, plan over a fleet snapshot (<see cref="DeploymentPlanner"/>, no I/O), store what changed, and send
/// each agent its serving assignment when it differs from the last one sent. Deploy, rollback and a pass take
/// <see cref="Gate"/> so a pass never writes back a deployment a command has just changed.
/// </summary>
internal sealed class DeploymentReconciler(
    IDeploymentStore store,
    DeploymentTargets targets,
    ServingFleet fleet,
    DeploymentSignal signal,
    AgentSessionRegistry sessions,
    AgentDirectory directory,
    IOptions<CoordinatorOptions> options,
    TimeProvider time,
    MlOps.Coordinator.HighAvailability.Leadership leadership,
    ILogger<DeploymentReconciler> logger) : BackgroundService
{
    private ImmutableDictionary<string, Deployment> _live = ImmutableDictionary.Create<string, Deployment>(StringComparer.Ordinal);
    private readonly HashSet<string> _reportedUnresolvable = new(StringComparer.Ordinal);
    private int _force;

    /// <summary>Serializes deployment writes (commands and passes).</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>Asks for a pass; <paramref name="force"/> re-sends every agent its assignment (a deploy retries versions
    /// that failed to load).</summary>
    public void Request(bool force)
    {
        if (force)
        {
            Interlocked.Exchange(ref _force, 1);
        }

        signal.Request();
    }

    /// <summary>The deployment as the last pass saw it, with live replica state; null before the first pass saw it.</summary>
    public Deployment? Live(string name) => Volatile.Read(ref _live).GetValueOrDefault(name);

    public async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var force = Interlocked.Exchange(ref _force, 0) == 1;
        DeploymentPlan plan;
        await Gate.WaitAsync(cancellationToken);
        try
        {
            var stored = await store.ListDeploymentsAsync(cancellationToken);
            var inputs = new List<DeploymentInput>(stored.Count);
            foreach (var deployment in stored)
            {
                await FollowAliasesAsync(deployment, cancellationToken);
                var versions = deployment.Traffic.Concat(deployment.History.LastOrDefault()?.Traffic ?? []).Select(r => r.Version);
                inputs.Add(new DeploymentInput(deployment, await targets.RecordsAsync(deployment.Spec.Model, versions, cancellationToken)));
            }

            var held = fleet.Held(stored.SelectMany(d => d.Replicas.Select(r => r.AgentId)), options.Value.LeaseDuration);
            var drained = directory.All.Where(a => a.Drained).Select(a => a.AgentId).ToHashSet(StringComparer.Ordinal);
            var agents = fleet.Snapshot().Select(a => drained.Contains(a.AgentId) ? a with { Drained = true } : a).ToList();
            plan = DeploymentPlanner.Plan(inputs, agents, held);
            var before = stored.ToDictionary(d => d.Spec.Name, StringComparer.Ordinal);
            foreach (var planned in plan.Deployments)
            {
                var previous = before[planned.Spec.Name];
                if (!Storable(planned).Equals(Storable(previous)))
                {
                    planned.UpdatedAt = Timestamp.FromDateTimeOffset(time.GetUtcNow());
                    await store.PutDeploymentAsync(Storable(planned, keepTime: true), cancellationToken);
                    Report(previous, planned);
                }
            }

            Volatile.Write(ref _live, plan.Deployments.ToImmutableDictionary(d => d.Spec.Name, StringComparer.Ordinal));
        }
        finally
        {
            Gate.Release();
        }

        foreach (var (agentId, models) in plan.Assignments)
        {
            if (fleet.NextAssignment(agentId, models, force) is { } assignment)
            {
                if (sessions.Send(agentId, new CoordinatorMessage { Serving = assignment }))
                {
                    DeploymentLog.AssignmentSent(logger, assignment.Generation, agentId, assignment.Models.Count);
                }
                else
                {
                    fleet.Unsent(agentId);
                }
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await leadership.WaitQuietlyAsync(stoppingToken))
        {
            return;
        }

        var interval = options.Value.DeploymentInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
                await signal.WaitAsync(interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                DeploymentLog.PassFailed(logger, ex);
                await ((Task)signal.WaitAsync(interval, time, stoppingToken)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>A deployment that names an alias (stable or canary) gets a new revision when the alias moved.</summary>
    private async Task FollowAliasesAsync(Deployment deployment, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(deployment.Spec.Target?.Alias) && string.IsNullOrEmpty(deployment.Spec.Canary?.Target?.Alias))
        {
            return;
        }

        var split = await targets.ResolveAsync(deployment.Spec, cancellationToken);
        var key = $"{deployment.Spec.Name}\n{split.Problem}";
        if (!split.Resolved)
        {
            if (_reportedUnresolvable.Add(key))
            {
                DeploymentLog.Unresolvable(logger, deployment.Spec.Name, split.ProblemField!, split.Problem!);
            }

            return;
        }

        _reportedUnresolvable.RemoveWhere(k => k.StartsWith(deployment.Spec.Name + "\n", StringComparison.Ordinal));

        var now = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        var wanted = DeploymentPlanner.Describe(split.Traffic);
        if (DeploymentCommands.AppendRevisionIfChanged(deployment, split.Traffic, $"alias moved: {wanted}", now))
        {
            deployment.UpdatedAt = now;
            await store.PutDeploymentAsync(deployment, cancellationToken);
            DeploymentLog.AliasMoved(logger, deployment.Spec.Name, deployment.Revision, wanted);
        }
    }

    private void Report(Deployment previous, Deployment planned)
    {
        if (!DeploymentPlanner.SameSplit(previous.Traffic, planned.Traffic))
        {
            var routed = DeploymentPlanner.Describe(planned.Traffic);
            DeploymentLog.TrafficSwitched(logger, planned.Spec.Name, routed);
        }

        if (previous.Phase != planned.Phase || previous.Message != planned.Message)
        {
            var phase = planned.Phase.ToString();
            DeploymentLog.PhaseChanged(logger, planned.Spec.Name, planned.Revision, phase, planned.Message);
        }
    }

    /// <summary>What is stored: placement without live replica state (which changes with every report).</summary>
    private static Deployment Storable(Deployment deployment, bool keepTime = false)
    {
        var copy = deployment.Clone();
        foreach (var replica in copy.Replicas)
        {
            replica.Ready = false;
            replica.Versions.Clear();
        }

        if (!keepTime)
        {
            copy.UpdatedAt = null;
        }

        return copy;
    }
}
