namespace MlOps.Monitoring.Profiles;

/// <summary>
/// A uniform random sample of at most <see cref="Capacity"/> fixed-length vectors from a stream of unknown
/// length: Algorithm R (Vitter 1985, "Random sampling with a reservoir"). Storage is one preallocated array,
/// so <see cref="Add"/> never allocates. The generator is seeded, so a given stream always keeps the same rows.
/// Not thread-safe.
/// </summary>
public sealed class ReservoirSample
{
    private readonly double[] _rows;
    private Random _random;

    /// <summary>An empty reservoir.</summary>
    public ReservoirSample(int capacity, int dimension, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacity);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        Capacity = capacity;
        Dimension = dimension;
        Seed = seed;
        _rows = new double[capacity * dimension];
        _random = new Random(seed);
    }

    /// <summary>Restores a reservoir (used by deserialization). The generator is re-seeded from the seed and the count seen.</summary>
    public ReservoirSample(int capacity, int dimension, int seed, long seen, ReadOnlySpan<double> rows)
        : this(capacity, dimension, seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seen);
        var expected = (int)Math.Min(seen, capacity) * dimension;
        if (rows.Length != expected)
        {
            throw new ArgumentException(
                $"A reservoir of capacity {capacity} that has seen {seen} vectors of dimension {dimension} holds {expected} values, not {rows.Length}.",
                nameof(rows));
        }

        rows.CopyTo(_rows);
        Seen = seen;
        _random = new Random(Reseed(seed, seen));
    }

    /// <summary>Most vectors kept.</summary>
    public int Capacity { get; }

    /// <summary>Length of each vector.</summary>
    public int Dimension { get; }

    /// <summary>Seed of the generator.</summary>
    public int Seed { get; }

    /// <summary>Vectors offered so far.</summary>
    public long Seen { get; private set; }

    /// <summary>Vectors kept: min(<see cref="Seen"/>, <see cref="Capacity"/>).</summary>
    public int RowCount => (int)Math.Min(Seen, Capacity);

    /// <summary>The kept vectors, row-major.</summary>
    public ReadOnlySpan<double> Rows => _rows.AsSpan(0, RowCount * Dimension);

    /// <summary>Offers one vector; it is kept with probability Capacity/Seen. Allocation-free.</summary>
    public void Add(ReadOnlySpan<double> vector)
    {
        if (vector.Length != Dimension)
        {
            throw new ArgumentException($"Expected a vector of {Dimension} values, got {vector.Length}.", nameof(vector));
        }

        Seen++;
        long slot = Seen <= Capacity ? Seen - 1 : _random.NextInt64(Seen);
        if (slot < Capacity)
        {
            vector.CopyTo(_rows.AsSpan((int)slot * Dimension, Dimension));
        }
    }

    /// <summary>
    /// Adds another reservoir's sample. When both together hold more than <see cref="Capacity"/> rows, each side
    /// contributes in proportion to how many vectors it has seen (rounded, and limited by what it holds), picked
    /// uniformly from its rows: the merged sample is close to, though not exactly, a uniform sample of the union.
    /// </summary>
    public void Merge(ReservoirSample other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Dimension != Dimension)
        {
            throw new ArgumentException($"Cannot merge vectors of dimension {other.Dimension} into {Dimension}.", nameof(other));
        }

        var mine = RowCount;
        var theirs = other.RowCount;
        var seen = Seen + other.Seen;
        if (mine + theirs <= Capacity)
        {
            other.Rows.CopyTo(_rows.AsSpan(mine * Dimension));
            Seen = seen;
            _random = new Random(Reseed(Seed, Seen));
            return;
        }

        var fromOther = (int)Math.Round(Capacity * ((double)other.Seen / seen));
        fromOther = Math.Clamp(fromOther, Capacity - mine, Math.Min(theirs, Capacity));
        var fromMine = Capacity - fromOther;
        var merged = new double[Capacity * Dimension];
        CopyRandomRows(_rows, mine, fromMine, merged.AsSpan(0, fromMine * Dimension));
        CopyRandomRows(other._rows, theirs, fromOther, merged.AsSpan(fromMine * Dimension));
        merged.CopyTo(_rows, 0);
        Seen = seen;
        _random = new Random(Reseed(Seed, Seen));
    }

    private void CopyRandomRows(double[] source, int available, int take, Span<double> destination)
    {
        var order = new int[available];
        for (var i = 0; i < available; i++)
        {
            order[i] = i;
        }

        for (var i = 0; i < take; i++)
        {
            var j = _random.Next(i, available);
            (order[i], order[j]) = (order[j], order[i]);
            source.AsSpan(order[i] * Dimension, Dimension).CopyTo(destination.Slice(i * Dimension, Dimension));
        }
    }

    // Deterministic across processes (HashCode.Combine is randomized per process, so it is not used).
    private static int Reseed(int seed, long seen) => unchecked(seed ^ (int)(((ulong)seen * 0x9E3779B97F4A7C15UL) >> 32));
}
