using System.Text.Json.Serialization;

namespace MlOps.Monitoring.Serialization;

// The JSON shape of profiles. Kept apart from the domain types so the wire format is explicit and versioned,
// and every field is validated on the way in (ProfileJson) rather than trusted.

internal sealed class ProfileEnvelopeWire
{
    public int FormatVersion { get; set; }

    public string? Kind { get; set; }

    public ImageProfileWire? Inputs { get; set; }

    public PredictionProfileWire? Predictions { get; set; }
}

internal sealed class ImageProfileWire
{
    public int Height { get; set; }

    public int Width { get; set; }

    public float InkThreshold { get; set; }

    public PixelMomentsWire? Pixels { get; set; }

    public FeatureProfileWire[]? Features { get; set; }

    public ReservoirWire? Sample { get; set; }
}

internal sealed class PixelMomentsWire
{
    public long Count { get; set; }

    public double[]? Mean { get; set; }

    public double[]? M2 { get; set; }
}

internal sealed class FeatureProfileWire
{
    public string? Name { get; set; }

    public double[]? Edges { get; set; }

    public long[]? Counts { get; set; }

    [JsonPropertyName("nan_count")]
    public long NaNCount { get; set; }

    public MomentsWire? Moments { get; set; }
}

internal sealed class MomentsWire
{
    public long Count { get; set; }

    public double Mean { get; set; }

    public double M2 { get; set; }

    public double Min { get; set; }

    public double Max { get; set; }
}

internal sealed class ReservoirWire
{
    public int Capacity { get; set; }

    public int Dimension { get; set; }

    public int Seed { get; set; }

    public long Seen { get; set; }

    public double[]? Rows { get; set; }
}

internal sealed class PredictionProfileWire
{
    public long[]? Counts { get; set; }
}

/// <summary>Source-generated JSON; ±∞ and NaN as named literals (empty moments have min +∞, max −∞).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ProfileEnvelopeWire))]
internal sealed partial class ProfileJsonContext : JsonSerializerContext;
