namespace MlOps.ServiceDefaults.Metrics;

/// <summary>
/// A histogram over fixed, ascending integer bounds (nanoseconds, rows) for the request path: recording is one
/// bucket search, one <see cref="Interlocked.Increment(ref long)"/> and one <see cref="Interlocked.Add(ref long, long)"/>,
/// with no lock and no allocation. Buckets hold their own observations only; <see cref="Snapshot"/> makes them
/// cumulative, so the count it reports always equals the +Inf bucket even while others record.
/// </summary>
public sealed class Histogram
{
    private readonly long[] _bounds;
    private readonly IReadOnlyList<long> _reportedBounds;
    private readonly long[] _buckets; // one per bound, then the overflow (+Inf) bucket
    private long _sum;

    /// <exception cref="ArgumentException">The bounds are not strictly ascending.</exception>
    public Histogram(IReadOnlyList<long> upperBounds)
    {
        for (var i = 1; i < upperBounds.Count; i++)
        {
            if (upperBounds[i] <= upperBounds[i - 1])
            {
                throw new ArgumentException($"histogram bounds must ascend strictly, got {upperBounds[i - 1]} then {upperBounds[i]}", nameof(upperBounds));
            }
        }

        _bounds = [.. upperBounds];
        _reportedBounds = Array.AsReadOnly(_bounds);
        _buckets = new long[_bounds.Length + 1];
    }

    public void Record(long value)
    {
        // A linear scan: the bounds are few (under 20) and most observations land in the first buckets.
        var bucket = 0;
        while (bucket < _bounds.Length && value > _bounds[bucket])
        {
            bucket++;
        }

        Interlocked.Increment(ref _buckets[bucket]);
        Interlocked.Add(ref _sum, value);
    }

    public HistogramSnapshot Snapshot()
    {
        var cumulative = new long[_bounds.Length];
        var running = 0L;
        for (var i = 0; i < _bounds.Length; i++)
        {
            running += Interlocked.Read(ref _buckets[i]);
            cumulative[i] = running;
        }

        running += Interlocked.Read(ref _buckets[^1]);
        return new HistogramSnapshot(_reportedBounds, cumulative, running, Interlocked.Read(ref _sum));
    }
}
