using MlOps.Monitoring.Statistics;

namespace MlOps.Monitoring.Drift;

/// <summary>
/// Population stability index, PSI = Σᵢ (aᵢ − eᵢ)·ln(aᵢ/eᵢ) over bins, where eᵢ and aᵢ are the reference
/// ("expected") and live ("actual") shares of bin i: the symmetric (Jeffreys) Kullback–Leibler divergence
/// of the two binned distributions. Customary reading (credit-scoring practice, e.g. Siddiqi 2006,
/// "Credit Risk Scorecards"): below 0.1 no significant change, 0.1–0.25 a moderate shift worth a look,
/// above 0.25 a major shift. PSI is an effect size, not a test: under no drift its expected value is about
/// (k−1)(1/n + 1/m) for k bins, so small windows read high; <see cref="DriftDetector"/> pairs it with KS.
/// </summary>
public static class PopulationStabilityIndex
{
    /// <summary>Below this PSI a distribution is customarily considered stable.</summary>
    public const double ModerateShift = 0.1;

    /// <summary>Above this PSI a shift is customarily considered major.</summary>
    public const double MajorShift = 0.25;

    /// <summary>
    /// Floor for a bin share before the logarithm: an empty bin would make PSI infinite, so shares are
    /// smoothed to at least this value (the usual fix; 1e-4 is a common choice).
    /// </summary>
    public const double DefaultEpsilon = 1e-4;

    /// <summary>PSI between two histograms over the same edges; 0 when either is empty.</summary>
    /// <exception cref="ArgumentException">The edges differ.</exception>
    public static double Compute(Histogram reference, Histogram live, double epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(live);
        if (!reference.Edges.Equals(live.Edges))
        {
            throw new ArgumentException("PSI needs histograms over the same bin edges.", nameof(live));
        }

        return Compute(reference.Counts, live.Counts, epsilon);
    }

    /// <summary>PSI between two count vectors of equal length; 0 when either sums to zero.</summary>
    public static double Compute(ReadOnlySpan<long> referenceCounts, ReadOnlySpan<long> liveCounts, double epsilon = DefaultEpsilon)
    {
        if (referenceCounts.Length != liveCounts.Length)
        {
            throw new ArgumentException("PSI needs count vectors of equal length.", nameof(liveCounts));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epsilon);
        long n = 0, m = 0;
        for (var i = 0; i < referenceCounts.Length; i++)
        {
            n += referenceCounts[i];
            m += liveCounts[i];
        }

        if (n == 0 || m == 0)
        {
            return 0;
        }

        var psi = 0.0;
        for (var i = 0; i < referenceCounts.Length; i++)
        {
            var e = Math.Max((double)referenceCounts[i] / n, epsilon);
            var a = Math.Max((double)liveCounts[i] / m, epsilon);
            psi += (a - e) * Math.Log(a / e);
        }

        return psi;
    }
}
