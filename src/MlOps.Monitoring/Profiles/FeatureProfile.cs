using MlOps.Monitoring.Statistics;

namespace MlOps.Monitoring.Profiles;

/// <summary>
/// The distribution of one scalar feature: a histogram over edges fixed by the reference, plus running
/// moments. A live profile is created from the reference (<see cref="CreateLike"/>) so both share the edges.
/// Not thread-safe.
/// </summary>
public sealed class FeatureProfile
{
    /// <summary>A profile from its parts.</summary>
    public FeatureProfile(string name, Histogram histogram, RunningMoments moments)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(histogram);
        ArgumentNullException.ThrowIfNull(moments);
        Name = name;
        Histogram = histogram;
        Moments = moments;
    }

    /// <summary>Feature name (see <see cref="Images.ImageFeatures.Names"/>).</summary>
    public string Name { get; }

    /// <summary>Counts over the reference's bins.</summary>
    public Histogram Histogram { get; }

    /// <summary>Count, mean, variance, min, max.</summary>
    public RunningMoments Moments { get; }

    /// <summary>Values added (NaN excluded).</summary>
    public long Count => Histogram.Total;

    /// <summary>A reference profile: quantile edges from <paramref name="values"/> (see <see cref="BinEdges.FromQuantiles"/>), then every value counted.</summary>
    public static FeatureProfile CreateReference(string name, ReadOnlySpan<double> values, int bins = 10)
    {
        var profile = new FeatureProfile(name, new Histogram(BinEdges.FromQuantiles(values, bins)), new RunningMoments());
        foreach (var v in values)
        {
            profile.Add(v);
        }

        return profile;
    }

    /// <summary>An empty profile with the same name and edges, to accumulate a live window.</summary>
    public FeatureProfile CreateLike() => new(Name, new Histogram(Histogram.Edges), new RunningMoments());

    /// <summary>Adds one value. Allocation-free.</summary>
    public void Add(double value)
    {
        Histogram.Add(value);
        Moments.Add(value);
    }

    /// <summary>Adds everything <paramref name="other"/> has seen; name and edges must match.</summary>
    public void Merge(FeatureProfile other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Name != Name)
        {
            throw new ArgumentException($"Cannot merge feature '{other.Name}' into '{Name}'.", nameof(other));
        }

        Histogram.Merge(other.Histogram);
        Moments.Merge(other.Moments);
    }
}
