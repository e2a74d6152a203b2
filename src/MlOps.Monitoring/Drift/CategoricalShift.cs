using MlOps.Monitoring.Statistics;

namespace MlOps.Monitoring.Drift;

/// <summary>Result of Pearson's chi-square test of homogeneity.</summary>
/// <param name="Statistic">Σ (O − E)²/E over the 2×k table.</param>
/// <param name="DegreesOfFreedom">Categories seen in either sample, minus one.</param>
/// <param name="PValue">P(χ²_df ≥ statistic); 1 when there is nothing to compare.</param>
public readonly record struct ChiSquareResult(double Statistic, int DegreesOfFreedom, double PValue);

/// <summary>Shift between two categorical distributions (the predicted-class mix): a test and two distances.</summary>
public static class CategoricalShift
{
    /// <summary>
    /// Pearson's chi-square test of homogeneity on the 2×k table of counts (reference row, live row):
    /// E_ij = rowᵢ·colⱼ/N. A test of homogeneity rather than goodness of fit because the reference
    /// proportions are themselves estimated from a finite sample. Categories empty in both rows are dropped.
    /// The χ² approximation wants expected counts of about 5 or more per cell (Cochran 1954).
    /// </summary>
    public static ChiSquareResult ChiSquareHomogeneity(ReadOnlySpan<long> reference, ReadOnlySpan<long> live)
    {
        if (reference.Length != live.Length)
        {
            throw new ArgumentException("Count vectors must have equal length.", nameof(live));
        }

        long n = 0, m = 0;
        var categories = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            n += reference[i];
            m += live[i];
            if (reference[i] + live[i] > 0)
            {
                categories++;
            }
        }

        if (n == 0 || m == 0 || categories < 2)
        {
            return new ChiSquareResult(0, Math.Max(categories - 1, 0), 1);
        }

        double total = n + m;
        var statistic = 0.0;
        for (var i = 0; i < reference.Length; i++)
        {
            double column = reference[i] + live[i];
            if (column == 0)
            {
                continue;
            }

            var expectedRef = n * column / total;
            var expectedLive = m * column / total;
            statistic += Square(reference[i] - expectedRef) / expectedRef;
            statistic += Square(live[i] - expectedLive) / expectedLive;
        }

        var df = categories - 1;
        return new ChiSquareResult(statistic, df, SpecialFunctions.ChiSquareSurvival(statistic, df));
    }

    /// <summary>Jensen–Shannon divergence (Lin 1991) in bits: 0 for equal distributions, at most 1.</summary>
    public static double JensenShannon(ReadOnlySpan<long> reference, ReadOnlySpan<long> live)
    {
        var (n, m) = Totals(reference, live);
        if (n == 0 || m == 0)
        {
            return 0;
        }

        var js = 0.0;
        for (var i = 0; i < reference.Length; i++)
        {
            var p = (double)reference[i] / n;
            var q = (double)live[i] / m;
            var mid = (p + q) / 2;
            if (p > 0)
            {
                js += 0.5 * p * Math.Log2(p / mid);
            }

            if (q > 0)
            {
                js += 0.5 * q * Math.Log2(q / mid);
            }
        }

        return Math.Max(js, 0);
    }

    /// <summary>Total variation distance ½ Σ |pᵢ − qᵢ|: the largest difference in probability of any set of classes.</summary>
    public static double TotalVariation(ReadOnlySpan<long> reference, ReadOnlySpan<long> live)
    {
        var (n, m) = Totals(reference, live);
        if (n == 0 || m == 0)
        {
            return 0;
        }

        var tv = 0.0;
        for (var i = 0; i < reference.Length; i++)
        {
            tv += Math.Abs(((double)reference[i] / n) - ((double)live[i] / m));
        }

        return tv / 2;
    }

    private static (long N, long M) Totals(ReadOnlySpan<long> reference, ReadOnlySpan<long> live)
    {
        if (reference.Length != live.Length)
        {
            throw new ArgumentException("Count vectors must have equal length.", nameof(live));
        }

        long n = 0, m = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            n += reference[i];
            m += live[i];
        }

        return (n, m);
    }

    private static double Square(double x) => x * x;
}
