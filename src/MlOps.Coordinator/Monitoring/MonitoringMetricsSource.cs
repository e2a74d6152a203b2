using MlOps.Contracts;
using MlOps.Coordinator.HighAvailability;
using MlOps.Coordinator.Storage;
using MlOps.ServiceDefaults.Metrics;

namespace MlOps.Coordinator.Monitoring;

/// <summary>
/// Drift, live accuracy and retraining on the coordinator's <c>/metrics</c> page (docs/metrics.md): the drift monitor's
/// latest evaluation of each served version, and the retraining runs in the store by model and state. Drift series
/// exist on the leader only (the monitor lives there); retraining runs are read from the shared store by every
/// coordinator.
/// </summary>
internal sealed class MonitoringMetricsSource(DriftMonitor monitor, IRetrainingStore retraining, Leadership leadership) : IMetricsSource
{
    /// <summary>Runs read per scrape: enough for every model's recent history, bounded so a scrape stays cheap.</summary>
    public const int RunsPerScrape = 500;

    private static readonly RetrainingRunState[] States =
        [.. Enum.GetValues<RetrainingRunState>().Where(s => s != RetrainingRunState.Unspecified)];

    public async ValueTask WriteAsync(PrometheusTextWriter writer, CancellationToken cancellationToken)
    {
        var versions = leadership.IsLeader ? monitor.All() : [];
        writer.Family("mlops_model_drift", MetricType.Gauge, "1 when the latest drift evaluation of a served version found drift, else 0");
        foreach (var (model, view) in versions.Where(v => v.View.Verdict is "DRIFT" or "NO_DRIFT"))
        {
            writer.Sample("mlops_model_drift", Labels(model, view), view.Verdict == "DRIFT" ? 1 : 0);
        }

        writer.Family("mlops_model_drift_evaluations_total", MetricType.Counter, "Drift evaluations of a served version since this coordinator started leading");
        foreach (var (model, view) in versions)
        {
            writer.Sample("mlops_model_drift_evaluations_total", Labels(model, view), view.Evaluations);
        }

        writer.Family("mlops_model_drift_detected_total", MetricType.Counter, "Drift evaluations that found drift");
        foreach (var (model, view) in versions)
        {
            writer.Sample("mlops_model_drift_detected_total", Labels(model, view), view.DriftEvaluations);
        }

        writer.Family("mlops_model_feature_psi", MetricType.Gauge, "Population stability index of a summary feature, live window against the reference");
        foreach (var (model, view) in versions)
        {
            foreach (var feature in view.Features)
            {
                writer.Sample("mlops_model_feature_psi",
                    PrometheusTextWriter.Labels(("model", model), ("version", Version(view)), ("feature", feature.Name)), feature.Psi);
            }
        }

        writer.Family("mlops_model_live_accuracy", MetricType.Gauge, "Share of ground-truth labels a served version predicted, over the evaluation window");
        foreach (var (model, view) in versions.Where(v => v.View.Labels > 0))
        {
            writer.Sample("mlops_model_live_accuracy", Labels(model, view), (double)view.Correct / view.Labels);
        }

        writer.Family("mlops_model_feedback_labels", MetricType.Gauge, "Ground-truth labels received for a served version over the evaluation window");
        foreach (var (model, view) in versions)
        {
            writer.Sample("mlops_model_feedback_labels", Labels(model, view), view.Labels);
        }

        var runs = await retraining.ListRetrainingRunsAsync(null, RunsPerScrape, cancellationToken);
        writer.Family("mlops_retraining_runs", MetricType.Gauge, "Retraining runs in the store (the newest 500) by model and state");
        foreach (var model in runs.Select(r => r.Model).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            foreach (var state in States)
            {
                writer.Sample("mlops_retraining_runs",
                    PrometheusTextWriter.Labels(("model", model), ("state", Retraining.RetrainingText.State(state).ToLowerInvariant())),
                    runs.Count(r => r.Model == model && r.State == state));
            }
        }
    }

    private static string Labels(string model, VersionMonitor view) =>
        PrometheusTextWriter.Labels(("model", model), ("version", Version(view)));

    private static string Version(VersionMonitor view) => view.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
