namespace MlOps.Monitoring.Statistics;

/// <summary>
/// Fixed, strictly increasing, finite inner edges e₀ &lt; e₁ &lt; … &lt; e_{k−2} of a k-bin histogram whose outer
/// bins are open: bin 0 is (−∞, e₀), bin i is [e_{i−1}, e_i), bin k−1 is [e_{k−2}, +∞). A value outside the
/// reference range therefore always lands in a bin, which is what PSI and KS need.
/// </summary>
public sealed class BinEdges : IEquatable<BinEdges>
{
    private readonly double[] _inner;

    /// <summary>Creates edges from finite, strictly increasing inner edges (may be empty: one bin for everything).</summary>
    /// <exception cref="ArgumentException">An edge is not finite or the edges are not strictly increasing.</exception>
    public BinEdges(ReadOnlySpan<double> innerEdges)
    {
        for (var i = 0; i < innerEdges.Length; i++)
        {
            if (!double.IsFinite(innerEdges[i]))
            {
                throw new ArgumentException($"Bin edge {i} is {innerEdges[i]}; inner edges must be finite.", nameof(innerEdges));
            }

            if (i > 0 && innerEdges[i] <= innerEdges[i - 1])
            {
                throw new ArgumentException(
                    $"Bin edges must be strictly increasing; edge {i} ({innerEdges[i]}) follows {innerEdges[i - 1]}.", nameof(innerEdges));
            }
        }

        _inner = innerEdges.ToArray();
    }

    /// <summary>The finite inner edges.</summary>
    public ReadOnlySpan<double> Inner => _inner;

    /// <summary>Number of bins: inner edges + 1.</summary>
    public int BinCount => _inner.Length + 1;

    /// <summary>
    /// Edges at the reference sample's quantiles i/<paramref name="bins"/>, i = 1…bins−1 (Hyndman–Fan type 7,
    /// linear interpolation), so each bin holds about the same share of the reference. Repeated quantiles
    /// (ties in discrete data) are collapsed, so fewer bins may result. NaNs in the sample are ignored.
    /// </summary>
    public static BinEdges FromQuantiles(ReadOnlySpan<double> referenceSample, int bins = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var sorted = new List<double>(referenceSample.Length);
        foreach (var v in referenceSample)
        {
            if (!double.IsNaN(v))
            {
                sorted.Add(v);
            }
        }

        if (sorted.Count == 0)
        {
            throw new ArgumentException("The reference sample has no values; quantile edges need at least one.", nameof(referenceSample));
        }

        sorted.Sort();
        var edges = new List<double>(bins - 1);
        for (var i = 1; i < bins; i++)
        {
            var q = Quantile(sorted, (double)i / bins);
            if (double.IsFinite(q) && (edges.Count == 0 || q > edges[^1]))
            {
                edges.Add(q);
            }
        }

        return new BinEdges(edges.ToArray());
    }

    /// <summary>The bin that holds <paramref name="value"/> (binary search; allocation-free).</summary>
    public int BinOf(double value)
    {
        // Number of edges <= value: values on an edge go to the bin above it.
        int lo = 0, hi = _inner.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_inner[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <inheritdoc />
    public bool Equals(BinEdges? other) => other is not null && _inner.AsSpan().SequenceEqual(other._inner);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as BinEdges);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var e in _inner)
        {
            hash.Add(e);
        }

        return hash.ToHashCode();
    }

    private static double Quantile(List<double> sorted, double p)
    {
        var h = (sorted.Count - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }
}
