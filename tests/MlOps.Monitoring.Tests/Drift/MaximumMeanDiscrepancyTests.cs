using MlOps.Monitoring.Drift;

namespace MlOps.Monitoring.Tests.Drift;

public sealed class MaximumMeanDiscrepancyTests
{
    private const int Dimension = 3;

    private static double[] Sample(Random random, int rows, double shift)
    {
        var values = new double[rows * Dimension];
        for (var i = 0; i < values.Length; i++)
        {
            // Dimensions on very different scales: standardization must handle it.
            var scale = (i % Dimension) switch { 0 => 1.0, 1 => 100.0, _ => 0.01 };
            values[i] = Draw.Normal(random, i % Dimension == 0 ? shift : 0, 1) * scale;
        }

        return values;
    }

    [Fact]
    public void PermutationTest_SameDistribution_FalseAlarmsAtMostAlpha()
    {
        // 100 seeded trials at α = 0.05: expect 5; allow up to 5 + 2.33·√(100·0.05·0.95) ≈ 10.
        var random = new Random(30);
        var rejections = 0;
        var pValues = new List<double>();
        for (var t = 0; t < 100; t++)
        {
            var result = MaximumMeanDiscrepancy.PermutationTest(Sample(random, 60, 0), Sample(random, 60, 0), Dimension, 200, seed: t);
            pValues.Add(result.PValue);
            if (result.PValue <= 0.05)
            {
                rejections++;
            }
        }

        Assert.InRange(rejections, 0, 10);

        // Roughly uniform: mean ≈ 0.5 and both halves populated.
        Assert.InRange(pValues.Average(), 0.38, 0.62);
        Assert.InRange(pValues.Count(p => p < 0.5), 35, 65);
    }

    [Fact]
    public void PermutationTest_ShiftedMean_SmallPValue()
    {
        var random = new Random(31);
        var rejections = 0;
        for (var t = 0; t < 20; t++)
        {
            var result = MaximumMeanDiscrepancy.PermutationTest(Sample(random, 80, 0), Sample(random, 80, 0.8), Dimension, 200, seed: t);
            if (result.PValue <= 0.01)
            {
                rejections++;
            }
        }

        Assert.True(rejections >= 18, $"only {rejections} of 20 shifted trials rejected at 0.01");
    }

    [Fact]
    public void PermutationTest_SameSeed_SameResult()
    {
        var random = new Random(32);
        var x = Sample(random, 40, 0);
        var y = Sample(random, 50, 0.3);
        var a = MaximumMeanDiscrepancy.PermutationTest(x, y, Dimension, 100, seed: 7);
        var b = MaximumMeanDiscrepancy.PermutationTest(x, y, Dimension, 100, seed: 7);
        Assert.Equal(a, b);
        Assert.True(a.Bandwidth > 0);
    }
}
