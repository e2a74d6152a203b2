using MlOps.Monitoring.Comparison;
using MlOps.Monitoring.Statistics;

namespace MlOps.Monitoring.Tests.Comparison;

public sealed class McNemarTests
{
    [Theory]
    // Exact values: 2·Σ_{i≤k} C(n, i)/2ⁿ in rational arithmetic.
    [InlineData(10, 2, 0.03857421875)]
    [InlineData(0, 5, 0.0625)]
    [InlineData(100, 60, 0.001953728034064342)]
    [InlineData(81, 27, 1.9074127708662275e-07)]
    [InlineData(5200, 4800, 6.593515598672442e-05)]
    [InlineData(30000, 29000, 3.907020967829971e-05)]
    public void ExactTest_KnownValues_MatchExactBinomialTail(long b, long c, double expected)
    {
        var result = McNemar.ExactTest(b, c);

        Assert.Equal(expected, result.PValue, expected * 1e-9);
        Assert.Equal((b, c, b + c), (result.OnlyFirstCorrect, result.OnlySecondCorrect, result.Discordant));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(7, 7)]
    [InlineData(20000, 20000)]
    [InlineData(5001, 5000)]
    public void ExactTest_NoOrBalancedDisagreement_IsOne(long b, long c)
    {
        Assert.Equal(1, McNemar.ExactTest(b, c).PValue);
    }

    [Theory]
    [InlineData(10, 2)]
    [InlineData(3, 40)]
    [InlineData(4800, 5200)]
    public void ExactTest_SwappedCounts_SamePValue(long b, long c)
    {
        Assert.Equal(McNemar.ExactTest(b, c).PValue, McNemar.ExactTest(c, b).PValue);
    }

    [Fact]
    public void ExactTest_LargeN_AgreesWithContinuityCorrectedNormalApproximation()
    {
        const long b = 5200, c = 4800;
        var z = (Math.Abs(b - c) - 1) / Math.Sqrt(b + c);
        var approximation = 2 * (1 - SpecialFunctions.NormalCdf(z));

        Assert.Equal(approximation, McNemar.ExactTest(b, c).PValue, approximation * 0.01);
    }

    [Fact]
    public void ExactTest_OneSidedExtreme_IsTwoToTheOneMinusN()
    {
        Assert.Equal(Math.Pow(2, -999), McNemar.ExactTest(1000, 0).PValue, Math.Pow(2, -999) * 1e-9);
        Assert.Equal(0, McNemar.ExactTest(0, 5000).PValue);
    }

    [Fact]
    public void ExactTest_NegativeCount_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => McNemar.ExactTest(-1, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => McNemar.ExactTest(3, -1));
    }
}
