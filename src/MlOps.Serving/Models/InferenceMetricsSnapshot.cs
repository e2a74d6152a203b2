using MlOps.ServiceDefaults.Metrics;

namespace MlOps.Serving.Models;

/// <summary>
/// The distributions of one version that <see cref="ModelStatisticsSnapshot"/>'s totals cannot show. Requests are
/// observed once each, when counted as a success or a failure, so <c>RequestNanoseconds.Count</c> equals
/// <c>SuccessCount + FailureCount</c>; queue time once per successful request; compute time and batch size once
/// per model execution.
/// </summary>
public sealed record InferenceMetricsSnapshot(
    HistogramSnapshot RequestNanoseconds, HistogramSnapshot QueueNanoseconds, HistogramSnapshot ComputeNanoseconds, HistogramSnapshot BatchSize)
{
    /// <summary>For a model that keeps no distributions.</summary>
    public static InferenceMetricsSnapshot Empty { get; } = new(HistogramSnapshot.Empty, HistogramSnapshot.Empty, HistogramSnapshot.Empty, HistogramSnapshot.Empty);
}
