namespace MlOps.Serving.Metrics;

/// <summary>The fixed bucket bounds of the inference histograms.</summary>
internal static class HistogramBuckets
{
    /// <summary>
    /// Request, queue and compute time, in nanoseconds: 50 µs to 5 s in 1-2.5-5 steps. A batch-1 request through
    /// the host takes tens of microseconds, so the low end is fine-grained; seconds only show a stuck queue.
    /// </summary>
    public static IReadOnlyList<long> LatencyNanoseconds { get; } =
    [
        50_000, 100_000, 250_000, 500_000,
        1_000_000, 2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000, 500_000_000,
        1_000_000_000, 2_500_000_000, 5_000_000_000,
    ];

    /// <summary>Rows per execution: powers of two below <paramref name="maxBatchSize"/>, then the maximum itself
    /// (1, 2, 4, …, 32, 64 for 64; 1, 2, …, 64, 100 for 100; just 1 for a model that does not batch).</summary>
    public static IReadOnlyList<long> BatchSizes(int maxBatchSize)
    {
        var max = Math.Max(1, maxBatchSize);
        var bounds = new List<long>();
        for (long size = 1; size < max; size *= 2)
        {
            bounds.Add(size);
        }

        bounds.Add(max);
        return bounds;
    }
}
