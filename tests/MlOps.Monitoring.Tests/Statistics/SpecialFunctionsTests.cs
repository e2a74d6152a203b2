using MlOps.Monitoring.Statistics;

namespace MlOps.Monitoring.Tests.Statistics;

public sealed class SpecialFunctionsTests
{
    [Theory]
    // Critical values from standard chi-square tables.
    [InlineData(16.919, 9, 0.05)]
    [InlineData(3.841, 1, 0.05)]
    [InlineData(6.635, 1, 0.01)]
    [InlineData(23.209, 10, 0.01)]
    [InlineData(124.342, 100, 0.05)]
    public void ChiSquareSurvival_TableCriticalValues_MatchAlpha(double x, double df, double alpha)
    {
        Assert.Equal(alpha, SpecialFunctions.ChiSquareSurvival(x, df), 4);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(5)]
    [InlineData(40)]
    public void ChiSquareSurvival_TwoDegreesOfFreedom_IsExponential(double x)
    {
        // For df = 2 the survival function is exactly e^{-x/2}.
        Assert.Equal(Math.Exp(-x / 2), SpecialFunctions.ChiSquareSurvival(x, 2), 12);
    }

    [Fact]
    public void RegularizedGamma_PPlusQ_IsOne()
    {
        foreach (var a in new[] { 0.5, 1, 4.5, 30 })
        {
            foreach (var x in new[] { 0.1, 1, 5, 31, 80 })
            {
                Assert.Equal(1, SpecialFunctions.RegularizedGammaP(a, x) + SpecialFunctions.RegularizedGammaQ(a, x), 12);
            }
        }
    }

    [Fact]
    public void LogGamma_KnownValues()
    {
        Assert.Equal(Math.Log(24), SpecialFunctions.LogGamma(5), 11);
        Assert.Equal(0.5 * Math.Log(Math.PI), SpecialFunctions.LogGamma(0.5), 12);
        Assert.Equal(0, SpecialFunctions.LogGamma(1), 12);
        Assert.Equal(Math.Log(3628800), SpecialFunctions.LogGamma(11), 11);
    }

    [Theory]
    [InlineData(0, 0.5)]
    [InlineData(1.959963985, 0.975)]
    [InlineData(-1, 0.158655254)]
    [InlineData(3, 0.998650102)]
    public void NormalCdf_KnownValues(double z, double expected)
    {
        Assert.Equal(expected, SpecialFunctions.NormalCdf(z), 8);
    }

    [Theory]
    // Kolmogorov distribution: the classic asymptotic critical values 1.2238 (10%), 1.3581 (5%), 1.6276 (1%).
    [InlineData(1.2238, 0.10)]
    [InlineData(1.3581, 0.05)]
    [InlineData(1.6276, 0.01)]
    [InlineData(0.5, 0.963945)]
    public void KolmogorovSurvival_CriticalValues(double lambda, double expected)
    {
        Assert.Equal(expected, SpecialFunctions.KolmogorovSurvival(lambda), 4);
    }

    [Fact]
    public void KolmogorovSurvival_BothSeriesAgreeAtTheSwitch()
    {
        // Just below and above 1.18 the two series are used; the function must be continuous there.
        var below = SpecialFunctions.KolmogorovSurvival(1.18 - 1e-9);
        var above = SpecialFunctions.KolmogorovSurvival(1.18);
        Assert.Equal(below, above, 8);
        Assert.Equal(1, SpecialFunctions.KolmogorovSurvival(0));
    }
}
