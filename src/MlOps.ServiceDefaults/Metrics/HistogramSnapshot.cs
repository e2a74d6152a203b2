namespace MlOps.ServiceDefaults.Metrics;

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
