using System.Text;
using MlOps.ServiceDefaults.Metrics;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol;

namespace MlOps.Serving.Metrics;

/// <summary>
/// The <c>/metrics</c> page: every READY version of the repository as one series per family, labelled
/// <c>model</c> and <c>version</c>. Counters carry Triton's <c>nv_inference_*</c> names and meanings with the
/// <c>mlops_</c> prefix (durations cumulative, in microseconds); the histograms beside them are in seconds (batch
/// size in rows). An info-style gauge names the execution provider each version runs on. A version that is unloaded,
/// or not yet ready, has no series; a reloaded version starts again at zero, which Prometheus reads as a counter reset.
/// </summary>
internal static class InferenceMetricsExposition
{
    private const double NanosecondsToSeconds = 1e-9;

    /// <summary>An info-style gauge (always 1) rather than a log line, so a dashboard can join on the <c>provider</c>
    /// label (<c>* on(instance, model, version) group_left(provider)</c>) or alert on a GPU node that fell back to CPU.</summary>
    public const string ExecutionProviderFamily = "mlops_model_execution_provider";

    private static readonly CounterFamily[] Counters =
    [
        new("mlops_nv_inference_request_success", "Number of successful inference requests, all batch sizes",
            v => v.Statistics.SuccessCount),
        new("mlops_nv_inference_request_failure", "Number of failed inference requests, all batch sizes (invalid, refused for a full queue, or failed in execution)",
            v => v.Statistics.FailureCount),
        new("mlops_nv_inference_count", "Number of inferences performed, in rows: a batch-8 request counts 8",
            v => v.Statistics.InferenceCount),
        new("mlops_nv_inference_exec_count", "Number of model executions performed (formed batches)",
            v => v.Statistics.ExecutionCount),
        new("mlops_nv_inference_request_duration_us", "Cumulative end-to-end inference request duration in microseconds, successes and failures",
            v => v.Metrics.RequestNanoseconds.Sum / 1_000),
        new("mlops_nv_inference_queue_duration_us", "Cumulative time successful requests waited in the queue, in microseconds",
            v => v.Statistics.QueueNanoseconds / 1_000),
        new("mlops_nv_inference_compute_infer_duration_us", "Cumulative model execution time in microseconds",
            v => v.Statistics.ComputeNanoseconds / 1_000),
    ];

    private static readonly HistogramFamily[] Histograms =
    [
        new("mlops_nv_inference_request_duration_seconds", "End-to-end inference request duration in seconds, from the model's call until its result or failure",
            v => v.Metrics.RequestNanoseconds, NanosecondsToSeconds),
        new("mlops_nv_inference_queue_duration_seconds", "Time a successful request waited in the queue before its batch ran, in seconds",
            v => v.Metrics.QueueNanoseconds, NanosecondsToSeconds),
        new("mlops_nv_inference_compute_infer_duration_seconds", "Duration of one model execution (one formed batch) in seconds",
            v => v.Metrics.ComputeNanoseconds, NanosecondsToSeconds),
        new("mlops_nv_inference_batch_size", "Rows per model execution (the formed batch size)",
            v => v.Metrics.BatchSize, 1),
    ];

    /// <summary>Every family, each once with the series of all ready versions.</summary>
    public static string Render(IModelRepository repository)
    {
        var versions = ReadyVersions(repository);
        var text = new StringBuilder();
        var writer = new PrometheusTextWriter(text);
        foreach (var family in Counters)
        {
            writer.Family(family.Name, MetricType.Counter, family.Help);
            foreach (var version in versions)
            {
                writer.Sample(family.Name, version.Labels, family.Value(version));
            }
        }

        foreach (var family in Histograms)
        {
            writer.Family(family.Name, MetricType.Histogram, family.Help);
            foreach (var version in versions)
            {
                writer.Histogram(family.Name, version.Labels, family.Value(version), family.Scale);
            }
        }

        writer.Family(ExecutionProviderFamily, MetricType.Gauge,
            "Always 1 while a version is loaded; the provider label names the ONNX Runtime execution provider it runs on (CPU or CUDA)");
        foreach (var version in versions.Where(v => v.Provider is not null))
        {
            writer.Sample(ExecutionProviderFamily, version.ProviderLabels, 1);
        }

        return text.ToString();
    }

    private static List<VersionMetrics> ReadyVersions(IModelRepository repository)
    {
        var versions = new List<VersionMetrics>();
        var ready = repository.Index()
            .Where(e => e.State == ModelRepositoryLookup.ReadyState)
            .DistinctBy(e => (e.Name, e.Version));
        foreach (var entry in ready)
        {
            // The index and routing are read at different moments: a version unloaded in between is left out.
            if (repository.TryGet(entry.Name, entry.Version, out var model))
            {
                var provider = model.ExecutionProvider;
                versions.Add(new VersionMetrics(
                    PrometheusTextWriter.Labels(("model", entry.Name), ("version", entry.Version)), model.Statistics, model.Metrics,
                    provider,
                    provider is null ? string.Empty : PrometheusTextWriter.Labels(("model", entry.Name), ("version", entry.Version), ("provider", provider))));
            }
        }

        return versions;
    }

    private sealed record VersionMetrics(string Labels, ModelStatisticsSnapshot Statistics, InferenceMetricsSnapshot Metrics,
        string? Provider, string ProviderLabels);

    private sealed record CounterFamily(string Name, string Help, Func<VersionMetrics, long> Value);

    private sealed record HistogramFamily(string Name, string Help, Func<VersionMetrics, HistogramSnapshot> Value, double Scale);
}
