using MlOps.Monitoring.Statistics;

namespace MlOps.Monitoring.Comparison;

/// <summary>Result of McNemar's exact test on two classifiers run over the same samples.</summary>
/// <param name="OnlyFirstCorrect">b: samples only the first classifier got right.</param>
/// <param name="OnlySecondCorrect">c: samples only the second classifier got right.</param>
/// <param name="PValue">Two-sided exact p-value; 1 when there is no discordant pair.</param>
public readonly record struct McNemarResult(long OnlyFirstCorrect, long OnlySecondCorrect, double PValue)
{
    /// <summary>b + c: the pairs the test looks at (the concordant ones say nothing about which is better).</summary>
    public long Discordant => OnlyFirstCorrect + OnlySecondCorrect;
}

/// <summary>
/// McNemar's test (McNemar 1947) for paired binary outcomes, e.g. two models on the same test images. Only the
/// discordant pairs count: under the null hypothesis that both models are equally accurate, each of the n = b + c
/// discordant pairs is equally likely to favour either model, so b ~ Binomial(n, ½). The exact (binomial) form is
/// used rather than the χ² approximation, which is poor when b + c is small (a retraining run may change only a few
/// dozen predictions) and needs no continuity correction.
/// </summary>
public static class McNemar
{
    private const double Epsilon = 1e-17;

    /// <summary>
    /// p = min(1, 2·P(X ≤ min(b, c))) with X ~ Binomial(b + c, ½); p = 1 when b + c = 0. Computed in log space from the
    /// largest term of the tail down, so b + c in the millions neither overflows nor loses the small p-values; a p-value
    /// below the smallest double (b + c beyond ~2,000 with min(b, c) = 0) comes out as 0.
    /// </summary>
    /// <param name="onlyFirstCorrect">b: pairs only the first classifier got right.</param>
    /// <param name="onlySecondCorrect">c: pairs only the second classifier got right.</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is negative.</exception>
    public static McNemarResult ExactTest(long onlyFirstCorrect, long onlySecondCorrect)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(onlyFirstCorrect);
        ArgumentOutOfRangeException.ThrowIfNegative(onlySecondCorrect);
        var n = onlyFirstCorrect + onlySecondCorrect;
        var k = Math.Min(onlyFirstCorrect, onlySecondCorrect);
        if ((2 * k) + 1 >= n)
        {
            // |b − c| ≤ 1 (or no discordant pair): by symmetry the lower tail holds at least half the mass, so twice it
            // is at least 1; answered exactly rather than summed to 0.99999….
            return new McNemarResult(onlyFirstCorrect, onlySecondCorrect, 1);
        }

        // Since k < n/2 the terms C(n, i)/2ⁿ grow with i up to k: sum t_i/t_k downwards with t_{i−1}/t_i = i/(n − i + 1),
        // stopping once a term no longer changes the sum, then scale by t_k in log space.
        var logLargest = SpecialFunctions.LogGamma(n + 1.0) - SpecialFunctions.LogGamma(k + 1.0) - SpecialFunctions.LogGamma(n - k + 1.0)
            - (n * Math.Log(2));
        var sum = 1.0;
        var ratio = 1.0;
        for (var i = k; i > 0; i--)
        {
            ratio *= i / (double)(n - i + 1);
            sum += ratio;
            if (ratio < Epsilon * sum)
            {
                break;
            }
        }

        var p = Math.Exp(Math.Log(2) + logLargest + Math.Log(sum));
        return new McNemarResult(onlyFirstCorrect, onlySecondCorrect, Math.Min(1, p));
    }
}
