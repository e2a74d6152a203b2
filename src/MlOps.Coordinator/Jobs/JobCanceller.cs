using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Jobs;

/// <summary>
/// Cancels a job: a queued one is CANCELLED at once; one on an agent becomes CANCELLING and the cancellation
/// is queued on the agent's stream immediately (under the agent's lock, so a reconnecting agent either gets it
/// on its new stream or sees CANCELLING when its hello is reconciled). The agent confirms with completed.
/// </summary>
internal sealed class JobCanceller(
    ICoordinatorStore store,
    JobUpdater jobs,
    AgentLocks locks,
    AgentSessionRegistry sessions,
    TimeProvider timeProvider,
    ILogger<JobCanceller> logger)
{
    public const string DefaultReason = "cancelled by user";

    /// <summary>Throws <see cref="JobNotFoundException"/> or <see cref="JobFinishedException"/>.</summary>
    public async Task<Job> CancelAsync(string jobId, string? reason, CancellationToken cancellationToken)
    {
        reason = string.IsNullOrWhiteSpace(reason) ? DefaultReason : reason.Trim();
        // The job can move between reading it and taking the agent's lock (assigned, requeued); try again then.
        for (var round = 0; ; round++)
        {
            var job = await store.GetJobAsync(jobId, cancellationToken) ?? throw new JobNotFoundException(jobId);
            if (JobStates.IsTerminal(job.State))
            {
                throw new JobFinishedException(job);
            }

            if (!JobStates.IsOnAgent(job.State))
            {
                var update = await jobs.UpdateAsync(jobId, JobTransitions.Cancel(reason, timeProvider.GetUtcNow()), cancellationToken);
                if (update is { Changed: true } || round >= 3)
                {
                    return update?.Job ?? job;
                }

                continue;
            }

            using (await locks.AcquireAsync(job.AgentId, cancellationToken))
            {
                var update = await jobs.UpdateAsync(jobId, JobTransitions.Cancel(reason, timeProvider.GetUtcNow()), cancellationToken)
                    ?? throw new JobNotFoundException(jobId);
                var current = update.Job;
                if (current.State == JobState.Cancelling)
                {
                    // Also for a job that was already CANCELLING: sending the cancellation again is harmless.
                    if (sessions.Send(current.AgentId, AgentConnections.Cancellation(current.Id, current.Attempt, reason)))
                    {
                        JobLog.CancelSent(logger, current.Id, current.AgentId, current.Attempt, reason);
                    }
                    else
                    {
                        JobLog.CancelDeferred(logger, current.Id, current.AgentId);
                    }

                    return current;
                }

                if (update.Changed || round >= 3)
                {
                    return current;
                }
            }
        }
    }
}
