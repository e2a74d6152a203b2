using MlOps.LoadTest.Reports;

namespace MlOps.LoadTest.Tests.Reports;

public sealed class NiceScaleTests
{
    [Fact]
    public void Ticks_ZeroToSevenPointThree_AreEvenNumbersToEight()
    {
        var ticks = NiceScale.Ticks(0, 7.3);

        Assert.Equal([0, 2, 4, 6, 8], ticks.Select(t => t.Value));
        Assert.Equal(["0", "2", "4", "6", "8"], ticks.Select(t => t.Label));
    }

    [Theory]
    [InlineData(0, 7.3)]
    [InlineData(0, 0.35)]
    [InlineData(0, 1234)]
    [InlineData(0, 48.7)]
    [InlineData(0.21, 0.29)]
    [InlineData(-3, 17)]
    [InlineData(0, 3_600_000)]
    [InlineData(0, 0.0042)]
    public void Ticks_AnyRange_AreRoundAndCoverIt(double min, double max)
    {
        var ticks = NiceScale.Ticks(min, max);

        Assert.InRange(ticks.Count, 3, 11);
        Assert.True(ticks[0].Value <= min, $"first tick {ticks[0].Value} above {min}");
        Assert.True(ticks[^1].Value >= max, $"last tick {ticks[^1].Value} below {max}");
        var step = ticks[1].Value - ticks[0].Value;
        var mantissa = step / Math.Pow(10, Math.Floor(Math.Log10(step)));
        Assert.Contains(Math.Round(mantissa, 9), new[] { 1.0, 2.0, 5.0 });
        foreach (var tick in ticks)
        {
            var multiple = tick.Value / step;
            Assert.Equal(Math.Round(multiple), multiple, 9);
        }
    }

    [Fact]
    public void Ticks_FractionalStep_LabelsHaveTheStepsDecimals()
    {
        var ticks = NiceScale.Ticks(0, 0.35);

        Assert.Equal(["0.0", "0.1", "0.2", "0.3", "0.4"], ticks.Select(t => t.Label));
        Assert.Equal(0.3, ticks[3].Value);
    }

    [Fact]
    public void Ticks_LargeValues_LabelsHaveThousandsSeparators()
    {
        var ticks = NiceScale.Ticks(0, 4200, unit: " ms");

        Assert.Equal("5,000 ms", ticks[^1].Label);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(5, 5)]
    [InlineData(double.NaN, 1)]
    [InlineData(0, double.PositiveInfinity)]
    public void Ticks_EmptyOrNonFiniteRange_StillHasAnExtent(double min, double max)
    {
        var ticks = NiceScale.Ticks(min, max);

        Assert.True(ticks.Count >= 2);
        Assert.True(ticks[^1].Value > ticks[0].Value);
        if (double.IsFinite(max))
        {
            Assert.True(ticks[^1].Value >= max);
        }
    }
}
