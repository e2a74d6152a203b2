namespace MlOps.Monitoring.Profiles;

/// <summary>Counts of predicted classes (the arg-max of the model's output). Not thread-safe.</summary>
public sealed class PredictionProfile
{
    private readonly long[] _counts;

    /// <summary>Empty counts for <paramref name="classCount"/> classes (10 for Fashion-MNIST).</summary>
    public PredictionProfile(int classCount = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        _counts = new long[classCount];
    }

    /// <summary>Restores counts (used by deserialization).</summary>
    public PredictionProfile(ReadOnlySpan<long> counts)
        : this(counts.Length)
    {
        for (var i = 0; i < counts.Length; i++)
        {
            if (counts[i] < 0)
            {
                throw new ArgumentException($"Count of class {i} is negative ({counts[i]}).", nameof(counts));
            }

            _counts[i] = counts[i];
            Total += counts[i];
        }
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount => _counts.Length;

    /// <summary>Predictions per class.</summary>
    public ReadOnlySpan<long> Counts => _counts;

    /// <summary>Predictions counted.</summary>
    public long Total { get; private set; }

    /// <summary>Counts one predicted class. Allocation-free.</summary>
    public void Add(int predictedClass)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(predictedClass);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(predictedClass, _counts.Length);
        _counts[predictedClass]++;
        Total++;
    }

    /// <summary>Counts the arg-max of one output vector (first maximum on ties; NaNs never win). Allocation-free.</summary>
    public void AddOutput(ReadOnlySpan<float> probabilities)
    {
        if (probabilities.Length != _counts.Length)
        {
            throw new ArgumentException($"Expected {_counts.Length} class scores, got {probabilities.Length}.", nameof(probabilities));
        }

        var best = 0;
        for (var i = 1; i < probabilities.Length; i++)
        {
            if (probabilities[i] > probabilities[best] || float.IsNaN(probabilities[best]))
            {
                best = i;
            }
        }

        Add(best);
    }

    /// <summary>Adds another profile's counts; the class counts must match.</summary>
    public void Merge(PredictionProfile other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.ClassCount != ClassCount)
        {
            throw new ArgumentException($"Cannot merge {other.ClassCount} classes into {ClassCount}.", nameof(other));
        }

        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Total += other.Total;
    }

    /// <summary>An empty profile with the same number of classes.</summary>
    public PredictionProfile CreateLike() => new(ClassCount);
}
