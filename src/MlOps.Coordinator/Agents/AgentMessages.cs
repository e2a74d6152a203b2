using Google.Protobuf.WellKnownTypes;
using MlOps.Contracts;
using MlOps.Coordinator.Jobs;
using MlOps.Coordinator.Leases;
using MlOps.Coordinator.Registry;
using MlOps.Coordinator.Storage;

namespace MlOps.Coordinator.Agents;

/// <summary>
/// Handles what an agent sends after its hello. Every message renews the agent's lease. Job messages are
/// applied through <see cref="JobTransitions"/>, which ignore an attempt that is not the job's current one
/// on this agent (a lost agent that came back): those are logged and dropped.
/// </summary>
internal sealed class AgentMessages(
    AgentLeaseTable leases,
    AgentDirectory directory,
    JobUpdater jobs,
    ICoordinatorStore store,
    ModelRegistrar registrar,
    MlOps.Coordinator.Deployments.ServingFleet fleet,
    MlOps.Coordinator.Monitoring.DriftMonitor driftMonitor,
    Microsoft.Extensions.Options.IOptions<MlOps.Coordinator.Configuration.CoordinatorOptions> options,
    TimeProvider timeProvider,
    ILogger<AgentMessages> logger)
{
    public async Task HandleAsync(AgentSession session, AgentMessage message, CancellationToken cancellationToken)
    {
        var agentId = session.AgentId;
        leases.Renew(agentId);
        var now = timeProvider.GetUtcNow();
        switch (message.KindCase)
        {
            case AgentMessage.KindOneofCase.Heartbeat:
                directory.ReportGpuHealth(agentId, message.Heartbeat.Gpus);
                await directory.SeenAsync(agentId, persist: true, cancellationToken);
                session.Send(new CoordinatorMessage { Lease = new LeaseGrant { ValidFor = Duration.FromTimeSpan(leases.Duration) } });
                break;
            case AgentMessage.KindOneofCase.Started:
                await ApplyAsync(agentId, "started", message.Started.JobId, message.Started.Attempt,
                    JobTransitions.Start(agentId, message.Started.Attempt, message.Started.Pid, now, message.Started.GpuUuids), cancellationToken);
                break;
            case AgentMessage.KindOneofCase.Progress:
                await ApplyAsync(agentId, "progress", message.Progress.JobId, message.Progress.Attempt,
                    JobTransitions.Progress(agentId, message.Progress.Attempt, message.Progress.Progress ?? new TrainingProgress(), now),
                    cancellationToken);
                break;
            case AgentMessage.KindOneofCase.Logs:
                await ApplyAsync(agentId, "logs", message.Logs.JobId, message.Logs.Attempt,
                    JobTransitions.Logs(agentId, message.Logs.Attempt, message.Logs.Lines, now), cancellationToken);
                break;
            case AgentMessage.KindOneofCase.Metrics:
                await ApplyAsync(agentId, "metrics", message.Metrics.JobId, message.Metrics.Attempt,
                    JobTransitions.Metrics(agentId, message.Metrics.Attempt, message.Metrics.Metrics ?? new MetricsReport(), now),
                    cancellationToken);
                break;
            case AgentMessage.KindOneofCase.Completed:
                await CompleteAsync(agentId, message.Completed, now, cancellationToken);
                break;
            case AgentMessage.KindOneofCase.Checkpointed:
                await ApplyAsync(agentId, "checkpoint", message.Checkpointed.JobId, message.Checkpointed.Attempt,
                    JobTransitions.Checkpointed(agentId, message.Checkpointed.Attempt, message.Checkpointed.Checkpoint ?? new CheckpointRef(), now),
                    cancellationToken);
                break;
            case AgentMessage.KindOneofCase.Serving:
                fleet.Report(agentId, message.Serving);
                break;
            case AgentMessage.KindOneofCase.Window:
                driftMonitor.Record(agentId, message.Window);
                break;
            case AgentMessage.KindOneofCase.Hello:
                AgentLog.UnexpectedMessage(logger, agentId, "a second hello");
                break;
            default:
                AgentLog.UnexpectedMessage(logger, agentId, "an empty message");
                break;
        }

        if (message.KindCase != AgentMessage.KindOneofCase.Heartbeat)
        {
            await directory.SeenAsync(agentId, persist: false, cancellationToken);
        }
    }

    /// <summary>
    /// A completion. For a success with a model artifact the artifact is read first (I/O stays outside the job's
    /// transaction); its version is then registered in the same transaction as the SUCCEEDED state, and tagged in
    /// the artifact store after the commit.
    /// </summary>
    private async Task CompleteAsync(string agentId, JobCompleted completed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ModelRegistrationPlan? registration = null;
        if (completed.Outcome == JobOutcome.Succeeded && !string.IsNullOrEmpty(completed.Result?.ModelManifestDigest) &&
            !string.IsNullOrEmpty(completed.JobId) &&
            await store.GetJobAsync(completed.JobId, cancellationToken) is { } job && JobTransitions.IsCurrent(job, agentId, completed.Attempt))
        {
            registration = await registrar.PrepareAsync(job, completed, cancellationToken);
        }

        var update = await ApplyAsync(agentId, "completed", completed.JobId, completed.Attempt,
            JobTransitions.Complete(agentId, completed, now, registration, options.Value.RetryBackoff), cancellationToken);
        if (update?.Registered is { } registered)
        {
            RegistryLog.Registered(logger, registered.Model, registered.Version, update.Job.Id, registered.Repository, registered.ManifestDigest);
            await registrar.TagAsync(registered, cancellationToken);
        }
    }

    private async Task<JobUpdate?> ApplyAsync(
        string agentId, string kind, string jobId, int attempt, JobMutator transition, CancellationToken cancellationToken)
    {
        var update = string.IsNullOrEmpty(jobId) ? null : await jobs.UpdateAsync(jobId, transition, cancellationToken);
        if (update is null)
        {
            AgentLog.UnknownJob(logger, agentId, kind, jobId);
        }
        else if (!update.Changed)
        {
            AgentLog.StaleMessage(logger, agentId, kind, jobId, attempt, update.Job.State, update.Job.Attempt, update.Job.AgentId);
        }

        return update;
    }
}
