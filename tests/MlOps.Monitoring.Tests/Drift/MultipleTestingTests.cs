using MlOps.Monitoring.Drift;

namespace MlOps.Monitoring.Tests.Drift;

public sealed class MultipleTestingTests
{
    [Fact]
    public void HolmAdjust_WorkedExample()
    {
        // Sorted: 0.005·4 = 0.02, 0.01·3 = 0.03, 0.03·2 = 0.06, max(0.06, 0.04·1) = 0.06.
        var adjusted = MultipleTesting.HolmAdjust([0.01, 0.04, 0.03, 0.005]);
        Assert.Equal([0.03, 0.06, 0.06, 0.02], adjusted.Select(p => Math.Round(p, 12)));
    }

    [Fact]
    public void HolmAdjust_CapsAtOneAndTreatsNaNAsOne()
    {
        var adjusted = MultipleTesting.HolmAdjust([0.5, double.NaN, 0.4]);
        Assert.All(adjusted, p => Assert.Equal(1, p));
    }
}
