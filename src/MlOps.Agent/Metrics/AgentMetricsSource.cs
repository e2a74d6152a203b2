using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;
using MlOps.Agent.Inventory;
using MlOps.Agent.Jobs;
using MlOps.Agent.Options;
using MlOps.Contracts;
using MlOps.ServiceDefaults.Metrics;

namespace MlOps.Agent.Metrics;

/// <summary>
/// The agent's <c>/metrics</c> families (docs/metrics.md), all read at scrape time: the attempts it runs with the
/// training progress their children last reported, what the node offers to jobs, and its GPUs under DCGM's names
/// (<see cref="GpuMetricsExposition"/>). Serving metrics are not here: they stay on the model host's REST port.
/// </summary>
internal sealed class AgentMetricsSource(JobSupervisor supervisor, IOptions<AgentOptions> options, IGpuTelemetry gpus) : IMetricsSource
{
    private const double MegabytesToBytes = 1024.0 * 1024.0;

    private static readonly string Version =
        typeof(AgentMetricsSource).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static readonly (string Name, string Help, Func<TrainingProgress, double> Value)[] Progress =
    [
        ("mlops_agent_job_epoch", "Epoch a running attempt last reported (1-based)", p => p.Epoch),
        ("mlops_agent_job_step", "Step within the epoch a running attempt last reported", p => p.Step),
        ("mlops_agent_job_samples_per_second", "Training throughput a running attempt last reported, in samples per second", p => p.SamplesPerSecond),
        ("mlops_agent_job_loss", "Training loss a running attempt last reported", p => p.Loss),
        ("mlops_agent_job_accuracy", "Training accuracy (0-1) a running attempt last reported", p => p.Accuracy),
    ];

    public ValueTask WriteAsync(PrometheusTextWriter writer, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        writer.Family("mlops_agent_info", MetricType.Gauge, "Always 1; labels name this agent and its version");
        writer.Sample("mlops_agent_info", PrometheusTextWriter.Labels(("agent", settings.Id), ("version", Version)), 1);

        writer.Family("mlops_agent_running_jobs", MetricType.Gauge, "Job attempts on this agent: running, or fetching their dataset or checkpoint before the start");
        writer.Sample("mlops_agent_running_jobs", string.Empty, supervisor.Running.Count);

        var reporting = supervisor.Processes
            .Select(p => (Labels: PrometheusTextWriter.Labels(("job", p.JobId), ("attempt", p.Attempt.ToString(CultureInfo.InvariantCulture))), p.LastProgress))
            .Where(p => p.LastProgress is not null)
            .OrderBy(p => p.Labels, StringComparer.Ordinal)
            .ToList();
        foreach (var (name, help, value) in Progress)
        {
            writer.Family(name, MetricType.Gauge, help);
            foreach (var (labels, progress) in reporting)
            {
                writer.Sample(name, labels, value(progress!));
            }
        }

        writer.Family("mlops_node_cpu_cores", MetricType.Gauge, "CPU cores this agent offers to jobs (Agent:CpuCores, or every core)");
        writer.Sample("mlops_node_cpu_cores", string.Empty, settings.CpuCores > 0 ? settings.CpuCores : Environment.ProcessorCount);

        writer.Family("mlops_node_memory_bytes", MetricType.Gauge, "Memory this agent offers to jobs, in bytes (Agent:MemoryMb, or the machine's total)");
        writer.Sample("mlops_node_memory_bytes", string.Empty, (settings.MemoryMb > 0 ? settings.MemoryMb : NodeInventory.TotalMemoryMb()) * MegabytesToBytes);

        GpuMetricsExposition.Write(writer, gpus.Read());
        return ValueTask.CompletedTask;
    }
}
