using Microsoft.Extensions.Options;
using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Configuration;
using MlOps.Coordinator.Jobs;

namespace MlOps.Coordinator.Scheduling;

/// <summary>
/// Runs scheduling passes when asked (<see cref="SchedulerSignal"/>) and every SchedulerInterval: capture a
/// snapshot, let the policy plan over it (no I/O), then apply the placements one at a time. Each placement is
/// applied under the agent's lock and only if the agent still has an open stream and the job is still
/// queued, so a plan made from a moment-old snapshot never double-assigns.
/// </summary>
internal sealed class SchedulerLoop(
    SnapshotSource snapshots,
    IPlacementPolicy policy,
    SchedulerSignal signal,
    AgentLocks locks,
    AgentSessionRegistry sessions,
    JobUpdater jobs,
    JobAssignments assignments,
    WaitingReasons waiting,
    PreemptionTracker preemptions,
    IOptions<CoordinatorOptions> options,
    TimeProvider timeProvider,
    MlOps.Coordinator.HighAvailability.Leadership leadership,
    MlOps.Coordinator.Metrics.CoordinatorMetrics metrics,
    ILogger<SchedulerLoop> logger) : BackgroundService
{
    private readonly HashSet<string> _reportedUnplaceable = new(StringComparer.Ordinal);

    /// <summary>One pass; returns the number of jobs assigned.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        using var timing = metrics.TimePass();
        var snapshot = await snapshots.CaptureAsync(cancellationToken);
        if (snapshot.Queue.Count == 0)
        {
            _reportedUnplaceable.Clear();
            waiting.Replace(snapshot.Deferred);
            return 0;
        }

        var plan = policy.Plan(snapshot);
        waiting.Replace(UnhealthyGpuNote.Annotate(snapshot, plan.Waiting).Concat(snapshot.Deferred).ToDictionary(StringComparer.Ordinal));
        ReportUnplaceable(snapshot, plan);
        foreach (var preemption in plan.Preemptions)
        {
            await PreemptAsync(preemption, cancellationToken);
        }

        var assigned = 0;
        foreach (var placement in plan.Placements)
        {
            if (await ApplyAsync(placement, cancellationToken))
            {
                assigned++;
            }
        }

        if (plan.Placements.Count > 0)
        {
            SchedulingLog.PassApplied(logger, plan.Policy, snapshot.Queue.Count, snapshot.Agents.Count, assigned);
        }

        return assigned;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await leadership.WaitQuietlyAsync(stoppingToken))
        {
            return;
        }

        SchedulingLog.LoopStarted(logger, policy.Name, options.Value.SchedulerInterval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
                await signal.WaitAsync(options.Value.SchedulerInterval, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                SchedulingLog.PassFailed(logger, ex);
                await ((Task)signal.WaitAsync(options.Value.SchedulerInterval, timeProvider, stoppingToken))
                    .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    /// <summary>
    /// Orders a preemption under the agent's lock, if the job still runs there: the agent saves a checkpoint and stops
    /// the job, which then goes back to the queue without using an attempt (JobTransitions.Complete, PREEMPTED).
    /// </summary>
    private async Task PreemptAsync(Preemption preemption, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(preemption.AgentId, cancellationToken))
        {
            var session = sessions.Get(preemption.AgentId);
            if (session is null)
            {
                return;
            }

            var update = await jobs.UpdateAsync(preemption.JobId,
                JobTransitions.PreemptionOrdered(preemption.AgentId, preemption.Reason, timeProvider.GetUtcNow()), cancellationToken);
            if (update is not { Changed: true })
            {
                return;
            }

            var attempt = update.Job.Attempt;
            preemptions.Order(preemption.JobId, new PreemptionTracker.Ordered(preemption.AgentId, attempt, preemption.ForJobId, preemption.Reason));
            SchedulingLog.Preempting(logger, preemption.JobId, attempt, preemption.AgentId, preemption.Reason);
            session.Send(new CoordinatorMessage
            {
                Cancellation = new JobCancellation { JobId = preemption.JobId, Attempt = attempt, Reason = preemption.Reason, Preempt = true },
            });
            metrics.PreemptionOrdered();
        }
    }

    private async Task<bool> ApplyAsync(Placement placement, CancellationToken cancellationToken)
    {
        using (await locks.AcquireAsync(placement.AgentId, cancellationToken))
        {
            var session = sessions.Get(placement.AgentId);
            if (session is null)
            {
                return false;
            }

            var update = await jobs.UpdateAsync(
                placement.JobId, JobTransitions.Assign(placement.AgentId, timeProvider.GetUtcNow()), cancellationToken);
            if (update is not { Changed: true })
            {
                return false;
            }

            session.Send(new CoordinatorMessage { Assignment = await assignments.ForAsync(update.Job, cancellationToken) });
            metrics.Assigned(update.Job);
            return true;
        }
    }

    private void ReportUnplaceable(SchedulingSnapshot snapshot, SchedulingPlan plan)
    {
        // Log each job that fits no agent once, not on every pass; forget jobs that left the queue.
        var queued = snapshot.Queue.ToDictionary(j => j.JobId, StringComparer.Ordinal);
        _reportedUnplaceable.IntersectWith(queued.Keys);
        foreach (var jobId in plan.Unplaceable.Where(_reportedUnplaceable.Add))
        {
            var largest = snapshot.Agents.MaxBy(a => (a.Capacity.Gpus, a.Capacity.CpuCores, a.Capacity.MemoryMb));
            SchedulingLog.Unplaceable(logger, jobId, queued[jobId].Request.ToString(), snapshot.Agents.Count,
                largest?.Capacity.ToString() ?? "none");
        }
    }
}
