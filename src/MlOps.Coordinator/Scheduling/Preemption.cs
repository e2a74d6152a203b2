namespace MlOps.Coordinator.Scheduling;

/// <summary>
/// Stop running job <see cref="JobId"/> on agent <see cref="AgentId"/> (checkpoint, then back to the queue) so that
/// queued job <see cref="ForJobId"/> fits there. <see cref="Reason"/> says why, for the job's history.
/// </summary>
public sealed record Preemption(string JobId, string AgentId, string ForJobId, string Reason);
