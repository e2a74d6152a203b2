using System.Text.Json;
using MlOps.Monitoring.Images;
using MlOps.Monitoring.Profiles;
using MlOps.Monitoring.Statistics;

namespace MlOps.Monitoring.Serialization;

/// <summary>
/// Profiles as UTF-8 JSON (snake_case, versioned by <c>format_version</c>), small enough for a protobuf
/// <c>bytes</c> field: a 28×28 image profile is roughly 40 KB, dominated by the per-pixel moments.
/// Reading validates every field and throws <see cref="ProfileFormatException"/> naming the first bad one.
/// </summary>
public static class ProfileJson
{
    /// <summary>The format this code writes and reads.</summary>
    public const int FormatVersion = 1;

    private const int MaxSide = 4096;
    private const int MaxReservoir = 1 << 20;

    /// <summary>Serializes a model profile (inputs and predictions).</summary>
    public static byte[] Serialize(ModelProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Write(new ProfileEnvelopeWire { Kind = "model", Inputs = ToWire(profile.Inputs), Predictions = ToWire(profile.Predictions) });
    }

    /// <summary>Serializes an image profile.</summary>
    public static byte[] Serialize(ImageProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Write(new ProfileEnvelopeWire { Kind = "image", Inputs = ToWire(profile) });
    }

    /// <summary>Serializes a prediction profile.</summary>
    public static byte[] Serialize(PredictionProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        return Write(new ProfileEnvelopeWire { Kind = "prediction", Predictions = ToWire(profile) });
    }

    /// <summary>Reads a model profile.</summary>
    /// <exception cref="ProfileFormatException">The bytes are not a valid model profile.</exception>
    public static ModelProfile ReadModelProfile(ReadOnlySpan<byte> utf8Json)
    {
        var envelope = Read(utf8Json, "model");
        return new ModelProfile(
            FromWire(Require(envelope.Inputs, "inputs"), "inputs"),
            FromWire(Require(envelope.Predictions, "predictions"), "predictions"));
    }

    /// <summary>Reads an image profile.</summary>
    /// <exception cref="ProfileFormatException">The bytes are not a valid image profile.</exception>
    public static ImageProfile ReadImageProfile(ReadOnlySpan<byte> utf8Json) =>
        FromWire(Require(Read(utf8Json, "image").Inputs, "inputs"), "inputs");

    /// <summary>Reads a prediction profile.</summary>
    /// <exception cref="ProfileFormatException">The bytes are not a valid prediction profile.</exception>
    public static PredictionProfile ReadPredictionProfile(ReadOnlySpan<byte> utf8Json) =>
        FromWire(Require(Read(utf8Json, "prediction").Predictions, "predictions"), "predictions");

    private static byte[] Write(ProfileEnvelopeWire envelope)
    {
        envelope.FormatVersion = FormatVersion;
        return JsonSerializer.SerializeToUtf8Bytes(envelope, ProfileJsonContext.Default.ProfileEnvelopeWire);
    }

    private static ProfileEnvelopeWire Read(ReadOnlySpan<byte> utf8Json, string kind)
    {
        ProfileEnvelopeWire? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize(utf8Json, ProfileJsonContext.Default.ProfileEnvelopeWire);
        }
        catch (JsonException ex)
        {
            throw new ProfileFormatException(ex.Path ?? "$", $"not valid profile JSON ({ex.Message})", ex);
        }

        if (envelope is null)
        {
            throw new ProfileFormatException("$", "the document is null");
        }

        if (envelope.FormatVersion != FormatVersion)
        {
            throw new ProfileFormatException("format_version", $"unsupported version {envelope.FormatVersion}; this reader understands {FormatVersion}");
        }

        if (envelope.Kind != kind)
        {
            throw new ProfileFormatException("kind", $"expected '{kind}', found '{envelope.Kind ?? "(missing)"}'");
        }

        return envelope;
    }

    private static ImageProfileWire ToWire(ImageProfile p) => new()
    {
        Height = p.Height,
        Width = p.Width,
        InkThreshold = p.InkThreshold,
        Pixels = new PixelMomentsWire { Count = p.Pixels.Count, Mean = p.Pixels.Mean.ToArray(), M2 = p.Pixels.SumOfSquaredDeviations.ToArray() },
        Features = [.. p.Features.Select(f => new FeatureProfileWire
        {
            Name = f.Name,
            Edges = f.Histogram.Edges.Inner.ToArray(),
            Counts = f.Histogram.Counts.ToArray(),
            NaNCount = f.Histogram.NaNCount,
            Moments = new MomentsWire { Count = f.Moments.Count, Mean = f.Moments.Mean, M2 = f.Moments.SumOfSquaredDeviations, Min = f.Moments.Min, Max = f.Moments.Max },
        })],
        Sample = new ReservoirWire { Capacity = p.Sample.Capacity, Dimension = p.Sample.Dimension, Seed = p.Sample.Seed, Seen = p.Sample.Seen, Rows = p.Sample.Rows.ToArray() },
    };

    private static PredictionProfileWire ToWire(PredictionProfile p) => new() { Counts = p.Counts.ToArray() };

    private static PredictionProfile FromWire(PredictionProfileWire wire, string path)
    {
        var counts = Require(wire.Counts, path + ".counts");
        Check(counts.Length >= 2, path + ".counts", $"needs at least 2 classes, found {counts.Length}");
        CheckNonNegative(counts, path + ".counts");
        return new PredictionProfile(counts);
    }

    private static ImageProfile FromWire(ImageProfileWire wire, string path)
    {
        Check(wire.Height is >= 1 and <= MaxSide, path + ".height", $"must be 1..{MaxSide}, found {wire.Height}");
        Check(wire.Width is >= 1 and <= MaxSide, path + ".width", $"must be 1..{MaxSide}, found {wire.Width}");
        Check(float.IsFinite(wire.InkThreshold), path + ".ink_threshold", "must be finite");
        var pixelCount = wire.Height * wire.Width;

        var pixelsPath = path + ".pixels";
        var pw = Require(wire.Pixels, pixelsPath);
        Check(pw.Count >= 0, pixelsPath + ".count", $"must be >= 0, found {pw.Count}");
        var mean = Require(pw.Mean, pixelsPath + ".mean");
        var m2 = Require(pw.M2, pixelsPath + ".m2");
        Check(mean.Length == pixelCount, pixelsPath + ".mean", $"expected {pixelCount} values for {wire.Height}x{wire.Width}, found {mean.Length}");
        Check(m2.Length == pixelCount, pixelsPath + ".m2", $"expected {pixelCount} values for {wire.Height}x{wire.Width}, found {m2.Length}");
        Check(mean.All(double.IsFinite), pixelsPath + ".mean", "values must be finite");
        Check(m2.All(v => double.IsFinite(v) && v >= 0), pixelsPath + ".m2", "values must be finite and >= 0");
        var pixels = new PixelMoments(wire.Height, wire.Width, pw.Count, mean, m2);

        var features = Require(wire.Features, path + ".features");
        Check(features.Length == ImageFeatures.Count, path + ".features", $"expected {ImageFeatures.Count} features, found {features.Length}");
        var profiles = new FeatureProfile[features.Length];
        for (var i = 0; i < features.Length; i++)
        {
            profiles[i] = FromWire(Require(features[i], $"{path}.features[{i}]"), $"{path}.features[{i}]", ImageFeatures.Names[i], pw.Count);
        }

        var samplePath = path + ".sample";
        var sw = Require(wire.Sample, samplePath);
        Check(sw.Dimension == ImageFeatures.Count, samplePath + ".dimension", $"expected {ImageFeatures.Count}, found {sw.Dimension}");
        Check(sw.Capacity is >= 1 and <= MaxReservoir, samplePath + ".capacity", $"must be 1..{MaxReservoir}, found {sw.Capacity}");
        Check(sw.Seen == pw.Count, samplePath + ".seen", $"must equal pixels.count ({pw.Count}), found {sw.Seen}");
        var rows = Require(sw.Rows, samplePath + ".rows");
        var expectedRows = (int)Math.Min(sw.Seen, sw.Capacity) * sw.Dimension;
        Check(rows.Length == expectedRows, samplePath + ".rows", $"expected {expectedRows} values, found {rows.Length}");
        var sample = new ReservoirSample(sw.Capacity, sw.Dimension, sw.Seed, sw.Seen, rows);

        return new ImageProfile(wire.InkThreshold, pixels, profiles, sample);
    }

    private static FeatureProfile FromWire(FeatureProfileWire wire, string path, string expectedName, long images)
    {
        Check(wire.Name == expectedName, path + ".name", $"expected '{expectedName}', found '{wire.Name ?? "(missing)"}'");
        var edges = Require(wire.Edges, path + ".edges");
        for (var i = 0; i < edges.Length; i++)
        {
            Check(double.IsFinite(edges[i]), $"{path}.edges[{i}]", $"must be finite, found {edges[i]}");
            if (i > 0 && !(edges[i] > edges[i - 1]))
            {
                throw new ProfileFormatException($"{path}.edges[{i}]", $"edges must increase strictly ({edges[i - 1]} then {edges[i]})");
            }
        }

        var counts = Require(wire.Counts, path + ".counts");
        Check(counts.Length == edges.Length + 1, path + ".counts", $"expected {edges.Length + 1} bins for {edges.Length} edges, found {counts.Length}");
        CheckNonNegative(counts, path + ".counts");
        Check(wire.NaNCount >= 0, path + ".nan_count", $"must be >= 0, found {wire.NaNCount}");
        var total = counts.Sum();
        Check(total + wire.NaNCount == images, path + ".counts", $"bins and NaNs hold {total + wire.NaNCount} values but the profile has {images} images");

        var mw = Require(wire.Moments, path + ".moments");
        Check(mw.Count == total, path + ".moments.count", $"must equal the histogram total {total}, found {mw.Count}");
        Check(mw.Count == 0 || (double.IsFinite(mw.Mean) && mw.M2 >= 0 && mw.Min <= mw.Max), path + ".moments", "mean, m2, min and max are inconsistent");
        var histogram = new Histogram(new BinEdges(edges), counts, wire.NaNCount);
        return new FeatureProfile(expectedName, histogram, new RunningMoments(mw.Count, mw.Mean, mw.M2, mw.Min, mw.Max));
    }

    private static T Require<T>(T? value, string field)
        where T : class => value ?? throw new ProfileFormatException(field, "is missing");

    private static void CheckNonNegative(long[] counts, string field)
    {
        for (var i = 0; i < counts.Length; i++)
        {
            Check(counts[i] >= 0, $"{field}[{i}]", $"must be >= 0, found {counts[i]}");
        }
    }

    private static void Check(bool condition, string field, string message)
    {
        if (!condition)
        {
            throw new ProfileFormatException(field, message);
        }
    }
}
