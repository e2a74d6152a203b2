namespace MlOps.Monitoring.Statistics;

/// <summary>
/// The few special functions the drift tests need, written out so the library has no dependencies:
/// log-gamma, the regularized incomplete gamma functions (hence the chi-square survival function and
/// the normal CDF) and the Kolmogorov distribution.
/// </summary>
public static class SpecialFunctions
{
    private const double Epsilon = 1e-15;
    private const int MaxIterations = 1000;

    /// <summary>
    /// ln Γ(x) for x &gt; 0: the recurrence Γ(x) = Γ(x+k)/(x(x+1)…(x+k−1)) lifts x to at least 15, then
    /// Stirling's asymptotic series (Abramowitz &amp; Stegun 6.1.41) to the x⁻⁷ term; absolute error about 1e-13.
    /// </summary>
    public static double LogGamma(double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(x);
        var shift = 0.0;
        while (x < 15)
        {
            shift += Math.Log(x);
            x += 1;
        }

        var inv = 1 / x;
        var inv2 = inv * inv;
        var series = inv * ((1.0 / 12) - (inv2 * ((1.0 / 360) - (inv2 * ((1.0 / 1260) - (inv2 / 1680))))));
        return ((x - 0.5) * Math.Log(x)) - x + (0.5 * Math.Log(2 * Math.PI)) + series - shift;
    }

    /// <summary>
    /// Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a). Power series for x &lt; a + 1, otherwise
    /// 1 − Q from the continued fraction (the split of Numerical Recipes §6.2, where each converges fast).
    /// </summary>
    public static double RegularizedGammaP(double a, double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a);
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x <= 0)
        {
            return 0;
        }

        return x < a + 1 ? GammaSeries(a, x) : 1 - GammaContinuedFraction(a, x);
    }

    /// <summary>Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), computed without cancellation.</summary>
    public static double RegularizedGammaQ(double a, double x)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a);
        if (double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x <= 0)
        {
            return 1;
        }

        return x < a + 1 ? 1 - GammaSeries(a, x) : GammaContinuedFraction(a, x);
    }

    /// <summary>P(χ²_df ≥ x) = Q(df/2, x/2): the p-value of a chi-square statistic.</summary>
    public static double ChiSquareSurvival(double x, double degreesOfFreedom)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(degreesOfFreedom);
        return RegularizedGammaQ(degreesOfFreedom / 2, x / 2);
    }

    /// <summary>Standard normal CDF Φ(z), via erf(t) = P(½, t²).</summary>
    public static double NormalCdf(double z)
    {
        if (double.IsNaN(z))
        {
            return double.NaN;
        }

        var half = 0.5 * RegularizedGammaP(0.5, z * z / 2);
        return z >= 0 ? 0.5 + half : 0.5 - half;
    }

    /// <summary>
    /// Survival function of the Kolmogorov distribution, Q_KS(λ) = P(K &gt; λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²}
    /// (Kolmogorov 1933). That alternating series converges slowly for small λ, so below λ = 1.18 the
    /// equivalent theta-function form P(K ≤ λ) = (√(2π)/λ) Σ_{j≥1} e^{−(2j−1)²π²/(8λ²)} is used instead.
    /// </summary>
    public static double KolmogorovSurvival(double lambda)
    {
        if (double.IsNaN(lambda))
        {
            return double.NaN;
        }

        if (lambda <= 0)
        {
            return 1;
        }

        if (lambda < 1.18)
        {
            var c = -Math.PI * Math.PI / (8 * lambda * lambda);
            var cdf = 0.0;
            for (var j = 1; j <= 20; j++)
            {
                var k = (2 * j) - 1;
                var term = Math.Exp(c * k * k);
                cdf += term;
                if (term < Epsilon * cdf)
                {
                    break;
                }
            }

            cdf *= Math.Sqrt(2 * Math.PI) / lambda;
            return Math.Clamp(1 - cdf, 0, 1);
        }

        var sum = 0.0;
        var sign = 1.0;
        for (var j = 1; j <= 100; j++)
        {
            var term = Math.Exp(-2.0 * j * j * lambda * lambda);
            sum += sign * term;
            if (term < Epsilon * Math.Abs(sum))
            {
                break;
            }

            sign = -sign;
        }

        return Math.Clamp(2 * sum, 0, 1);
    }

    private static double GammaSeries(double a, double x)
    {
        // P(a,x) = e^{-x} x^a / Γ(a+1) · Σ_n x^n / ((a+1)…(a+n))
        var term = 1 / a;
        var sum = term;
        for (var n = 1; n < MaxIterations; n++)
        {
            term *= x / (a + n);
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * Epsilon)
            {
                break;
            }
        }

        return sum * Math.Exp((a * Math.Log(x)) - x - LogGamma(a));
    }

    private static double GammaContinuedFraction(double a, double x)
    {
        // Q(a,x) = e^{-x} x^a / Γ(a) · 1/(x+1−a− 1(1−a)/(x+3−a− 2(2−a)/(x+5−a− …))), evaluated with the
        // modified Lentz method (Lentz 1976; Thompson & Barnett 1986).
        const double tiny = 1e-300;
        var b = x + 1 - a;
        var c = 1 / tiny;
        var d = 1 / b;
        var h = d;
        for (var i = 1; i < MaxIterations; i++)
        {
            var an = -i * (i - a);
            b += 2;
            d = (an * d) + b;
            if (Math.Abs(d) < tiny)
            {
                d = tiny;
            }

            c = b + (an / c);
            if (Math.Abs(c) < tiny)
            {
                c = tiny;
            }

            d = 1 / d;
            var delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                break;
            }
        }

        return Math.Exp((a * Math.Log(x)) - x - LogGamma(a)) * h;
    }
}
