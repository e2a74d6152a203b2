using MlOps.LoadTest.Reports;

namespace MlOps.LoadTest.Tests.Reports;

public sealed class PercentileScaleTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(90, 1)]
    [InlineData(99, 2)]
    [InlineData(99.9, 3)]
    [InlineData(99.99, 4)]
    public void ToX_Nines_MapToTheirCount(double percentile, double expected)
    {
        Assert.Equal(expected, PercentileScale.ToX(percentile), 9);
    }

    [Fact]
    public void ToX_IncreasingPercentiles_IsMonotonic()
    {
        double[] percentiles = [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 99.9999];

        var xs = percentiles.Select(PercentileScale.ToX).ToList();

        Assert.All(xs.Zip(xs.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"{pair.Second} <= {pair.First}"));
    }

    [Theory]
    [InlineData(100)]
    [InlineData(150)]
    [InlineData(99.99999999)]
    public void ToX_HundredOrMore_ClampsToTheLastNine(double percentile)
    {
        Assert.Equal(PercentileScale.MaxNines, PercentileScale.ToX(percentile), 9);
    }

    [Theory]
    [InlineData(-5)]
    [InlineData(double.NaN)]
    public void ToX_BelowZeroOrNaN_IsZero(double percentile)
    {
        Assert.Equal(0, PercentileScale.ToX(percentile));
    }

    [Theory]
    [InlineData(50)]
    [InlineData(99.9)]
    public void FromX_OfToX_IsThePercentile(double percentile)
    {
        Assert.Equal(percentile, PercentileScale.FromX(PercentileScale.ToX(percentile)), 9);
    }

    [Fact]
    public void Ticks_UpToFiveNines_AreLabelledByPercentile()
    {
        var ticks = PercentileScale.Ticks(4.3);

        Assert.Equal(["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"], ticks.Select(t => t.Label));
        Assert.Equal([0.0, 1, 2, 3, 4, 5], ticks.Select(t => t.Value));
    }

    [Fact]
    public void Ticks_ShortDistribution_ReachesAtLeastNinetyNine()
    {
        Assert.Equal("99%", PercentileScale.Ticks(0.3)[^1].Label);
    }
}
