namespace MlOps.Monitoring.Statistics;

/// <summary>
/// Count, mean, variance, minimum and maximum of a stream of values in one pass, using Welford's update
/// (Welford 1962, "Note on a method for calculating corrected sums of squares and products"), and mergeable
/// with the pairwise formula of Chan, Golub and LeVeque (1979/1983, "Algorithms for computing the sample
/// variance"), so that partial results from several agents or windows combine exactly.
/// </summary>
/// <remarks>NaN values are ignored (they would poison every later moment); infinities are accepted as given.
/// Not thread-safe.</remarks>
public sealed class RunningMoments
{
    /// <summary>An empty accumulator.</summary>
    public RunningMoments()
    {
    }

    /// <summary>Restores an accumulator from its parts (used by deserialization).</summary>
    public RunningMoments(long count, double mean, double sumOfSquaredDeviations, double min, double max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Count = count;
        Mean = count == 0 ? 0 : mean;
        SumOfSquaredDeviations = count == 0 ? 0 : sumOfSquaredDeviations;
        Min = count == 0 ? double.PositiveInfinity : min;
        Max = count == 0 ? double.NegativeInfinity : max;
    }

    /// <summary>Number of values added (NaN excluded).</summary>
    public long Count { get; private set; }

    /// <summary>Mean of the values; 0 when empty.</summary>
    public double Mean { get; private set; }

    /// <summary>Σ(x − mean)², Welford's M2.</summary>
    public double SumOfSquaredDeviations { get; private set; }

    /// <summary>Smallest value; +∞ when empty.</summary>
    public double Min { get; private set; } = double.PositiveInfinity;

    /// <summary>Largest value; −∞ when empty.</summary>
    public double Max { get; private set; } = double.NegativeInfinity;

    /// <summary>Unbiased sample variance (divides by n − 1); 0 with fewer than two values.</summary>
    public double Variance => Count > 1 ? SumOfSquaredDeviations / (Count - 1) : 0;

    /// <summary>Population variance (divides by n); 0 when empty.</summary>
    public double PopulationVariance => Count > 0 ? SumOfSquaredDeviations / Count : 0;

    /// <summary>Square root of <see cref="Variance"/>.</summary>
    public double StandardDeviation => Math.Sqrt(Variance);

    /// <summary>Adds one value. Allocation-free.</summary>
    public void Add(double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }

        Count++;
        var delta = value - Mean;
        Mean += delta / Count;
        SumOfSquaredDeviations += delta * (value - Mean);
        if (value < Min)
        {
            Min = value;
        }

        if (value > Max)
        {
            Max = value;
        }
    }

    /// <summary>Adds everything <paramref name="other"/> has seen (Chan et al.); <paramref name="other"/> is unchanged.</summary>
    public void Merge(RunningMoments other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0)
        {
            return;
        }

        if (Count == 0)
        {
            (Count, Mean, SumOfSquaredDeviations, Min, Max) = (other.Count, other.Mean, other.SumOfSquaredDeviations, other.Min, other.Max);
            return;
        }

        double n = Count + other.Count;
        var delta = other.Mean - Mean;
        Mean += delta * other.Count / n;
        SumOfSquaredDeviations += other.SumOfSquaredDeviations + (delta * delta * Count * other.Count / n);
        Count += other.Count;
        Min = Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
    }

    /// <summary>An independent copy.</summary>
    public RunningMoments Clone() => new(Count, Mean, SumOfSquaredDeviations, Min, Max);
}
