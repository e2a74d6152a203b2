namespace MlOps.Monitoring.Statistics;

/// <summary>
/// Counts per bin over fixed <see cref="BinEdges"/>. Two histograms with equal edges merge by adding counts,
/// so live windows from several serving agents combine exactly. NaN values are counted apart, in
/// <see cref="NaNCount"/>, and take part in no statistic. Not thread-safe.
/// </summary>
public sealed class Histogram
{
    private readonly long[] _counts;

    /// <summary>An empty histogram over <paramref name="edges"/>.</summary>
    public Histogram(BinEdges edges)
    {
        ArgumentNullException.ThrowIfNull(edges);
        Edges = edges;
        _counts = new long[edges.BinCount];
    }

    /// <summary>Restores a histogram from its counts (used by deserialization).</summary>
    public Histogram(BinEdges edges, ReadOnlySpan<long> counts, long nanCount)
        : this(edges)
    {
        if (counts.Length != edges.BinCount)
        {
            throw new ArgumentException($"Expected {edges.BinCount} counts for {edges.BinCount} bins, found {counts.Length}.", nameof(counts));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(nanCount);
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] < 0)
            {
                throw new ArgumentException($"Count of bin {i} is negative ({counts[i]}).", nameof(counts));
            }

            _counts[i] = counts[i];
            Total += counts[i];
        }

        NaNCount = nanCount;
    }

    /// <summary>The bin edges.</summary>
    public BinEdges Edges { get; }

    /// <summary>Counts per bin.</summary>
    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>Values counted in bins (NaN excluded).</summary>
    public long Total { get; private set; }

    /// <summary>NaN values seen.</summary>
    public long NaNCount { get; private set; }

    /// <summary>Counts one value. Allocation-free.</summary>
    public void Add(double value)
    {
        if (double.IsNaN(value))
        {
            NaNCount++;
            return;
        }

        _counts[Edges.BinOf(value)]++;
        Total++;
    }

    /// <summary>Adds the counts of <paramref name="other"/>, which must have equal edges.</summary>
    /// <exception cref="ArgumentException">The edges differ.</exception>
    public void Merge(Histogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Edges.Equals(other.Edges))
        {
            throw new ArgumentException("Histograms with different bin edges cannot be merged.", nameof(other));
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Total += other.Total;
        NaNCount += other.NaNCount;
    }

    /// <summary>Share of the counted values in each bin, written to <paramref name="destination"/> (all zero when empty).</summary>
    public void Fractions(Span<double> destination)
    {
        if (destination.Length != _counts.Length)
        {
            throw new ArgumentException($"Destination needs {_counts.Length} entries.", nameof(destination));
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            destination[i] = Total == 0 ? 0 : (double)_counts[i] / Total;
        }
    }

    /// <summary>An independent copy.</summary>
    public Histogram Clone() => new(Edges, _counts, NaNCount);
}
