namespace MlOps.Monitoring.Drift;

/// <summary>Outcome of one comparison.</summary>
public enum DriftVerdict
{
    /// <summary>Too few samples (reference or live) to decide; not an alarm.</summary>
    InsufficientData,

    /// <summary>Every test ran and none found drift.</summary>
    NoDrift,

    /// <summary>At least one test found drift (see <see cref="DriftReport.Reasons"/>).</summary>
    Drift,
}

/// <summary>One summary feature compared.</summary>
/// <param name="Name">Feature name.</param>
/// <param name="Psi">Population stability index.</param>
/// <param name="KsD">Binned KS statistic.</param>
/// <param name="KsPValue">Raw KS p-value.</param>
/// <param name="AdjustedPValue">Holm-adjusted p-value across the features.</param>
/// <param name="ReferenceMean">Mean in the reference.</param>
/// <param name="LiveMean">Mean in the live window.</param>
/// <param name="Drifted">AdjustedPValue ≤ KsAlpha and Psi ≥ PsiThreshold.</param>
public sealed record FeatureDrift(
    string Name, double Psi, double KsD, double KsPValue, double AdjustedPValue, double ReferenceMean, double LiveMean, bool Drifted);

/// <summary>The predicted-class mix compared.</summary>
/// <param name="ChiSquare">Homogeneity test of the class counts.</param>
/// <param name="JensenShannon">Jensen–Shannon divergence in bits.</param>
/// <param name="TotalVariation">Total variation distance.</param>
/// <param name="Drifted">ChiSquare.PValue ≤ PredictionAlpha.</param>
public sealed record PredictionShift(ChiSquareResult ChiSquare, double JensenShannon, double TotalVariation, bool Drifted);

/// <summary>The image MMD test.</summary>
/// <param name="Result">Statistic, bandwidth and p-value.</param>
/// <param name="Drifted">Result.PValue ≤ MmdAlpha.</param>
public sealed record ImageShift(MmdResult Result, bool Drifted);

/// <summary>What <see cref="DriftDetector"/> found; the parts that were not tested are null or empty.</summary>
public sealed record DriftReport
{
    /// <summary>The overall verdict.</summary>
    public required DriftVerdict Verdict { get; init; }

    /// <summary>Images in the reference profile.</summary>
    public long ReferenceImages { get; init; }

    /// <summary>Images in the live profile.</summary>
    public long LiveImages { get; init; }

    /// <summary>Predictions in the live profile.</summary>
    public long LivePredictions { get; init; }

    /// <summary>Per-feature PSI and binned KS, in <see cref="Images.ImageFeatures"/> order.</summary>
    public IReadOnlyList<FeatureDrift> Features { get; init; } = [];

    /// <summary>Multivariate test on the summary vectors.</summary>
    public ImageShift? Images { get; init; }

    /// <summary>Test on the predicted classes.</summary>
    public PredictionShift? Predictions { get; init; }

    /// <summary>Largest |live − reference| pixel mean over the reference pixel's standard deviation
    /// (informational: no test, as neighbouring pixels are far from independent).</summary>
    public double MaxPixelMeanShift { get; init; }

    /// <summary>One line per finding that decided the verdict (drifted parts, or parts without enough data).</summary>
    public IReadOnlyList<string> Reasons { get; init; } = [];
}
