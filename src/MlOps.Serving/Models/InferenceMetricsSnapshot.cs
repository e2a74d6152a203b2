namespace MlOps.Serving.Models;

/// <summary>
/// One histogram at a moment, in the unit it was recorded in (nanoseconds for durations, rows for batch sizes).
/// <see cref="CumulativeCounts"/>[i] counts the observations ≤ <see cref="UpperBounds"/>[i]; the +Inf bucket is
/// implied and equals <see cref="Count"/>.
/// </summary>
public sealed record HistogramSnapshot(IReadOnlyList<long> UpperBounds, IReadOnlyList<long> CumulativeCounts, long Count, long Sum)
{
    /// <summary>No bounds and no observations: only the +Inf bucket, at zero.</summary>
    public static HistogramSnapshot Empty { get; } = new([], [], 0, 0);
}

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
