using MlOps.Monitoring.Drift;

namespace MlOps.Monitoring.Tests.Drift;

public sealed class CategoricalShiftTests
{
    [Fact]
    public void ChiSquareHomogeneity_HandWorkedTable()
    {
        // Rows (50, 50) and (30, 70): expected 40/60 in each row, χ² = 2·(10²/40 + 10²/60) = 8.333, 1 df,
        // p = 2·(1 − Φ(√8.333)) = 0.00389.
        var result = CategoricalShift.ChiSquareHomogeneity([50, 50], [30, 70]);
        Assert.Equal(25.0 / 3, result.Statistic, 10);
        Assert.Equal(1, result.DegreesOfFreedom);
        Assert.Equal(0.00389, result.PValue, 5);
    }

    [Fact]
    public void ChiSquareHomogeneity_EmptyCategoryDropped_AndSameMixGivesPOne()
    {
        var result = CategoricalShift.ChiSquareHomogeneity([100, 200, 0, 300], [10, 20, 0, 30]);
        Assert.Equal(0, result.Statistic, 12);
        Assert.Equal(2, result.DegreesOfFreedom);
        Assert.Equal(1, result.PValue, 12);
    }

    [Fact]
    public void JensenShannonAndTotalVariation_Extremes()
    {
        Assert.Equal(0, CategoricalShift.JensenShannon([5, 5], [10, 10]), 12);
        Assert.Equal(1, CategoricalShift.JensenShannon([5, 0], [0, 5]), 12);
        Assert.Equal(1, CategoricalShift.TotalVariation([5, 0], [0, 5]), 12);
        Assert.Equal(0.2, CategoricalShift.TotalVariation([50, 50], [30, 70]), 12);
    }
}
