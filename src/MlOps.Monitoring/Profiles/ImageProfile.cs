using MlOps.Monitoring.Images;

namespace MlOps.Monitoring.Profiles;

/// <summary>
/// The input side of a model version: per-pixel moments, a <see cref="FeatureProfile"/> per summary feature
/// (<see cref="ImageFeatures"/>), and a reservoir of summary vectors for the multivariate MMD test.
/// The reference is built once from held-out data (<see cref="CreateReference"/>); serving agents accumulate
/// live windows with <see cref="CreateLike"/> and <see cref="Add"/>, which allocates nothing per image.
/// Not thread-safe: one profile per worker, merged when the window closes.
/// </summary>
public sealed class ImageProfile
{
    private readonly FeatureProfile[] _features;

    /// <summary>A profile from its parts (used by deserialization).</summary>
    public ImageProfile(float inkThreshold, PixelMoments pixels, IReadOnlyList<FeatureProfile> features, ReservoirSample sample)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(sample);
        if (features.Count != ImageFeatures.Count)
        {
            throw new ArgumentException($"Expected {ImageFeatures.Count} feature profiles, got {features.Count}.", nameof(features));
        }

        for (var i = 0; i < features.Count; i++)
        {
            if (features[i].Name != ImageFeatures.Names[i])
            {
                throw new ArgumentException($"Feature {i} must be '{ImageFeatures.Names[i]}', not '{features[i].Name}'.", nameof(features));
            }
        }

        if (sample.Dimension != ImageFeatures.Count)
        {
            throw new ArgumentException($"The reservoir must hold vectors of {ImageFeatures.Count} features.", nameof(sample));
        }

        InkThreshold = inkThreshold;
        Pixels = pixels;
        _features = [.. features];
        Sample = sample;
    }

    /// <summary>Rows of each image.</summary>
    public int Height => Pixels.Height;

    /// <summary>Columns of each image.</summary>
    public int Width => Pixels.Width;

    /// <summary>Ink threshold used for <see cref="ImageFeatures.InkFraction"/>.</summary>
    public float InkThreshold { get; }

    /// <summary>Images added.</summary>
    public long Count => Pixels.Count;

    /// <summary>Per-pixel mean and variance.</summary>
    public PixelMoments Pixels { get; }

    /// <summary>One profile per summary feature, in <see cref="ImageFeatures"/> order.</summary>
    public IReadOnlyList<FeatureProfile> Features => _features;

    /// <summary>Reservoir of summary vectors (dimension <see cref="ImageFeatures.Count"/>).</summary>
    public ReservoirSample Sample { get; }

    /// <summary>
    /// Builds a reference profile: summary features of every image, quantile bin edges per feature from them,
    /// then everything counted. Enumerates <paramref name="images"/> once.
    /// </summary>
    public static ImageProfile CreateReference(IEnumerable<ReadOnlyMemory<float>> images, int height, int width, ImageProfileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        options ??= new ImageProfileOptions();
        var pixels = new PixelMoments(height, width);
        var vectors = new List<double>();
        Span<double> vector = stackalloc double[ImageFeatures.Count];
        foreach (var image in images)
        {
            pixels.Add(image.Span);
            ImageFeatures.Compute(image.Span, height, width, options.InkThreshold, vector);
            foreach (var v in vector)
            {
                vectors.Add(v);
            }
        }

        if (pixels.Count == 0)
        {
            throw new ArgumentException("A reference profile needs at least one image.", nameof(images));
        }

        var count = (int)pixels.Count;
        var column = new double[count];
        var features = new FeatureProfile[ImageFeatures.Count];
        for (var f = 0; f < ImageFeatures.Count; f++)
        {
            for (var i = 0; i < count; i++)
            {
                column[i] = vectors[(i * ImageFeatures.Count) + f];
            }

            features[f] = FeatureProfile.CreateReference(ImageFeatures.Names[f], column, options.Bins);
        }

        var sample = new ReservoirSample(options.ReservoirCapacity, ImageFeatures.Count, options.Seed);
        for (var i = 0; i < count; i++)
        {
            for (var f = 0; f < ImageFeatures.Count; f++)
            {
                vector[f] = vectors[(i * ImageFeatures.Count) + f];
            }

            sample.Add(vector);
        }

        return new ImageProfile(options.InkThreshold, pixels, features, sample);
    }

    /// <summary>
    /// An empty profile with this one's shape, threshold, bin edges and reservoir size, for a live window.
    /// <paramref name="seed"/> seeds its reservoir; give each agent or window its own for independent samples.
    /// </summary>
    public ImageProfile CreateLike(int seed) =>
        new(InkThreshold, new PixelMoments(Height, Width), [.. _features.Select(f => f.CreateLike())],
            new ReservoirSample(Sample.Capacity, Sample.Dimension, seed));

    /// <summary>Adds one image (row-major, <see cref="Height"/>×<see cref="Width"/>). Allocation-free.</summary>
    public void Add(ReadOnlySpan<float> image)
    {
        Pixels.Add(image);
        Span<double> vector = stackalloc double[ImageFeatures.Count];
        ImageFeatures.Compute(image, Height, Width, InkThreshold, vector);
        for (var f = 0; f < _features.Length; f++)
        {
            _features[f].Add(vector[f]);
        }

        Sample.Add(vector);
    }

    /// <summary>Adds everything <paramref name="other"/> has seen: same shape, threshold and edges required.</summary>
    public void Merge(ImageProfile other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.InkThreshold != InkThreshold)
        {
            throw new ArgumentException($"Cannot merge profiles with ink thresholds {other.InkThreshold} and {InkThreshold}.", nameof(other));
        }

        // Check every part before changing any, so a refused merge leaves this profile as it was.
        if (other.Height != Height || other.Width != Width)
        {
            throw new ArgumentException($"Cannot merge {other.Height}x{other.Width} images into {Height}x{Width}.", nameof(other));
        }

        for (var f = 0; f < _features.Length; f++)
        {
            if (!_features[f].Histogram.Edges.Equals(other._features[f].Histogram.Edges))
            {
                throw new ArgumentException($"Feature '{_features[f].Name}' has different bin edges; profiles from different references cannot be merged.", nameof(other));
            }
        }

        Pixels.Merge(other.Pixels);
        for (var f = 0; f < _features.Length; f++)
        {
            _features[f].Merge(other._features[f]);
        }

        Sample.Merge(other.Sample);
    }
}
