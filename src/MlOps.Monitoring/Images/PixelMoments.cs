namespace MlOps.Monitoring.Images;

/// <summary>
/// Per-pixel running mean and variance over many images of one shape (Welford's update per pixel, merged with
/// Chan et al.'s formula, as in <see cref="Statistics.RunningMoments"/>). Every image updates every pixel, so
/// one count serves all. NaN pixels are not skipped (they would desynchronise the shared count): keep them out.
/// Not thread-safe.
/// </summary>
public sealed class PixelMoments
{
    private readonly double[] _mean;
    private readonly double[] _m2;

    /// <summary>Empty moments for images of <paramref name="height"/>×<paramref name="width"/>.</summary>
    public PixelMoments(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        Height = height;
        Width = width;
        _mean = new double[height * width];
        _m2 = new double[height * width];
    }

    /// <summary>Restores moments from their parts (used by deserialization).</summary>
    public PixelMoments(int height, int width, long count, ReadOnlySpan<double> mean, ReadOnlySpan<double> sumOfSquaredDeviations)
        : this(height, width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (mean.Length != _mean.Length || sumOfSquaredDeviations.Length != _m2.Length)
        {
            throw new ArgumentException($"Expected {_mean.Length} means and sums of squares for {height}x{width} pixels.", nameof(mean));
        }

        Count = count;
        mean.CopyTo(_mean);
        sumOfSquaredDeviations.CopyTo(_m2);
    }

    /// <summary>Rows.</summary>
    public int Height { get; }

    /// <summary>Columns.</summary>
    public int Width { get; }

    /// <summary>Images added.</summary>
    public long Count { get; private set; }

    /// <summary>Mean of each pixel, row-major.</summary>
    public ReadOnlySpan<double> Mean => _mean;

    /// <summary>Σ(x − mean)² of each pixel, row-major.</summary>
    public ReadOnlySpan<double> SumOfSquaredDeviations => _m2;

    /// <summary>Unbiased sample variance of pixel <paramref name="index"/>; 0 with fewer than two images.</summary>
    public double Variance(int index) => Count > 1 ? _m2[index] / (Count - 1) : 0;

    /// <summary>Adds one image. Allocation-free.</summary>
    public void Add(ReadOnlySpan<float> pixels)
    {
        if (pixels.Length != _mean.Length)
        {
            throw new ArgumentException($"Expected {Height}x{Width} = {_mean.Length} pixels, got {pixels.Length}.", nameof(pixels));
        }

        Count++;
        var inv = 1.0 / Count;
        var mean = _mean.AsSpan();
        var m2 = _m2.AsSpan();
        for (var i = 0; i < mean.Length; i++)
        {
            double v = pixels[i];
            var delta = v - mean[i];
            mean[i] += delta * inv;
            m2[i] += delta * (v - mean[i]);
        }
    }

    /// <summary>Adds everything <paramref name="other"/> has seen; shapes must match.</summary>
    public void Merge(PixelMoments other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Height != Height || other.Width != Width)
        {
            throw new ArgumentException($"Cannot merge {other.Height}x{other.Width} pixel moments into {Height}x{Width}.", nameof(other));
        }

        if (other.Count == 0)
        {
            return;
        }

        double n = Count + other.Count;
        double weight = other.Count / n, cross = (double)Count * other.Count / n;
        for (var i = 0; i < _mean.Length; i++)
        {
            var delta = other._mean[i] - _mean[i];
            _mean[i] += delta * weight;
            _m2[i] += other._m2[i] + (delta * delta * cross);
        }

        Count += other.Count;
    }
}
