using MlOps.Contracts;
using MlOps.Coordinator.Agents;
using MlOps.Coordinator.HighAvailability;
using MlOps.Coordinator.Storage;
using MlOps.ServiceDefaults.Metrics;

namespace MlOps.Coordinator.Metrics;

/// <summary>
/// The coordinator's <c>/metrics</c> families (docs/metrics.md). Gauges are computed at scrape time from the store
/// (jobs by state, one indexed <c>GROUP BY</c>) and the in-memory <see cref="AgentDirectory"/>; counters and histograms
/// come from <see cref="CoordinatorMetrics"/>. Every coordinator of a highly available group answers: the job gauges
/// read the shared store, while agents, the scheduler and the counters are the leader's (see
/// <c>mlops_coordinator_leader</c>).
/// </summary>
internal sealed class CoordinatorMetricsSource(
    ICoordinatorStore store, AgentDirectory agents, Leadership leadership, CoordinatorMetrics metrics) : IMetricsSource
{
    private const double MillisecondsToSeconds = 1e-3;
    private const double MicrosecondsToSeconds = 1e-6;
    private const double MegabytesToBytes = 1024.0 * 1024.0;

    /// <summary>The states a job can be in, each always written (zero included) so a query never sees a gap.</summary>
    private static readonly JobState[] States =
        [.. Enum.GetValues<JobState>().Where(s => s != JobState.Unspecified)];

    private static readonly AgentStatus[] Statuses =
        [.. Enum.GetValues<AgentStatus>().Where(s => s != AgentStatus.Unspecified)];

    public async ValueTask WriteAsync(PrometheusTextWriter writer, CancellationToken cancellationToken)
    {
        var counts = await store.CountJobsByStateAsync(cancellationToken);
        writer.Family("mlops_jobs", MetricType.Gauge, "Jobs in the store by state");
        foreach (var state in States)
        {
            writer.Sample("mlops_jobs", PrometheusTextWriter.Labels(("state", Name(state))), counts.GetValueOrDefault(state));
        }

        writer.Family("mlops_scheduler_queue_length", MetricType.Gauge, "Jobs waiting in the queue (state queued), retries waiting out their backoff included");
        writer.Sample("mlops_scheduler_queue_length", string.Empty, counts.GetValueOrDefault(JobState.Queued));

        writer.Family("mlops_scheduler_queue_wait_seconds", MetricType.Histogram, "Time from a job's submission to its first assignment, in seconds");
        writer.Histogram("mlops_scheduler_queue_wait_seconds", string.Empty, metrics.QueueWait, MillisecondsToSeconds);

        writer.Family("mlops_scheduler_pass_duration_seconds", MetricType.Histogram, "Duration of one scheduling pass (snapshot, plan and apply), in seconds");
        writer.Histogram("mlops_scheduler_pass_duration_seconds", string.Empty, metrics.PassDuration, MicrosecondsToSeconds);

        writer.Family("mlops_jobs_submitted_total", MetricType.Counter, "Jobs accepted by this coordinator");
        writer.Sample("mlops_jobs_submitted_total", string.Empty, metrics.Submitted);

        writer.Family("mlops_jobs_finished_total", MetricType.Counter, "Jobs that reached a final state through this coordinator, by outcome");
        foreach (var (outcome, count) in metrics.Finished)
        {
            writer.Sample("mlops_jobs_finished_total", PrometheusTextWriter.Labels(("outcome", outcome)), count);
        }

        writer.Family("mlops_scheduler_preemptions_total", MetricType.Counter, "Preemptions the scheduler ordered (a running job checkpointed and stopped for a higher-priority one)");
        writer.Sample("mlops_scheduler_preemptions_total", string.Empty, metrics.Preemptions);

        WriteAgents(writer, agents.All);

        writer.Family("mlops_coordinator_leader", MetricType.Gauge, "1 when this coordinator leads (schedules and answers calls), else 0");
        writer.Sample("mlops_coordinator_leader", string.Empty, leadership.IsLeader ? 1 : 0);
    }

    private static void WriteAgents(PrometheusTextWriter writer, IReadOnlyList<AgentRecord> all)
    {
        writer.Family("mlops_agents", MetricType.Gauge, "Agents this coordinator knows, by status");
        foreach (var status in Statuses)
        {
            writer.Sample("mlops_agents", PrometheusTextWriter.Labels(("status", Name(status))), all.Count(a => a.Status == status));
        }

        writer.Family("mlops_agents_drained", MetricType.Gauge, "Agents an operator drained (no new jobs or replicas)");
        writer.Sample("mlops_agents_drained", string.Empty, all.Count(a => a.Drained));

        // Capacity only of the agents that can take work now: a lost agent's numbers would count twice once it is back.
        var connected = all.Where(a => a.Status == AgentStatus.Connected).ToList();
        writer.Family("mlops_agent_cpu_cores", MetricType.Gauge, "CPU cores a connected agent offers to jobs");
        foreach (var agent in connected)
        {
            writer.Sample("mlops_agent_cpu_cores", AgentLabel(agent), agent.Capacity.CpuCores);
        }

        writer.Family("mlops_agent_memory_bytes", MetricType.Gauge, "Memory a connected agent offers to jobs, in bytes");
        foreach (var agent in connected)
        {
            writer.Sample("mlops_agent_memory_bytes", AgentLabel(agent), agent.Capacity.MemoryMb * MegabytesToBytes);
        }

        writer.Family("mlops_agent_gpus", MetricType.Gauge, "GPUs a connected agent offers to jobs");
        foreach (var agent in connected)
        {
            writer.Sample("mlops_agent_gpus", AgentLabel(agent), agent.Capacity.Gpus.Count);
        }
    }

    private static string AgentLabel(AgentRecord agent) => PrometheusTextWriter.Labels(("agent", agent.AgentId));

    /// <summary>The enum's name in lower case (<c>JobState.Succeeded</c> → <c>succeeded</c>), as the CLI shows it.</summary>
    private static string Name<T>(T value) where T : struct, Enum => value.ToString().ToLowerInvariant();
}
