namespace MlOps.Monitoring.Profiles;

/// <summary>How a reference image profile is built; a live profile copies these from its reference.</summary>
public sealed record ImageProfileOptions
{
    /// <summary>Quantile bins per summary feature. Default 10 (deciles): enough resolution for PSI and KS, and with
    /// ~10% of the reference per bin, empty bins stay rare in windows of a few hundred requests.</summary>
    public int Bins { get; init; } = 10;

    /// <summary>A pixel above this value counts as ink, in the model's input units. Default 0: with the usual
    /// Fashion-MNIST normalisation (x − 0.286)/0.353 that is a raw intensity of about 0.29.</summary>
    public float InkThreshold { get; init; }

    /// <summary>Summary vectors kept for the MMD test. Default 256: enough power for moderate shifts while the
    /// test stays an O((2·256)²) kernel matrix.</summary>
    public int ReservoirCapacity { get; init; } = 256;

    /// <summary>Seed of the reservoir's generator. Default 0.</summary>
    public int Seed { get; init; }
}
