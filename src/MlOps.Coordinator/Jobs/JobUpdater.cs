using MlOps.Contracts;
using MlOps.Coordinator.Scheduling;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Jobs;

/// <summary>
/// Applies job transitions: writes them through the store (state and events in one transaction), then
/// publishes the events to live watchers and wakes the scheduler when a job entered the queue or freed its
/// agent. Publishing after the commit means a watcher never sees an event the store could lose.
/// </summary>
internal sealed class JobUpdater(
    ICoordinatorStore store, JobEventHub hub, SchedulerSignal scheduler, MlOps.Coordinator.Metrics.CoordinatorMetrics metrics, ILogger<JobUpdater> logger)
{
    public async Task<JobUpdate> CreateAsync(JobMutation creation, CancellationToken cancellationToken)
    {
        var update = await store.CreateJobAsync(creation, cancellationToken);
        Announce(update);
        return update;
    }

    /// <summary>Returns null for an unknown job; <see cref="JobUpdate.Changed"/> is false when the transition did not apply.</summary>
    public async Task<JobUpdate?> UpdateAsync(string jobId, JobMutator mutate, CancellationToken cancellationToken)
    {
        var update = await store.UpdateJobAsync(jobId, mutate, cancellationToken);
        if (update is { Changed: true })
        {
            Announce(update);
        }

        return update;
    }

    private void Announce(JobUpdate update)
    {
        hub.Publish(update.Events);
        var wake = false;
        foreach (var change in update.Events.Where(e => e.PayloadCase == JobEvent.PayloadOneofCase.StateChange).Select(e => e.StateChange))
        {
            JobLog.StateChanged(logger, update.Job.Id, change.From, change.To, change.Attempt, change.Reason);
            metrics.StateChanged(change);
            wake |= change.To == JobState.Queued || JobStates.IsTerminal(change.To);
        }

        if (wake)
        {
            scheduler.Request();
        }
    }
}
