using MlOps.Monitoring.Drift;
using MlOps.Monitoring.Statistics;

namespace MlOps.Monitoring.Tests.Drift;

public sealed class KolmogorovSmirnovTests
{
    [Fact]
    public void TwoSample_SameDistribution_SmallDAndHighP()
    {
        var result = KolmogorovSmirnov.TwoSample(Draw.Normals(20, 5000), Draw.Normals(21, 5000));
        Assert.True(result.D < 0.03, $"D = {result.D}");
        Assert.True(result.PValue > 0.1, $"p = {result.PValue}");
    }

    [Fact]
    public void TwoSample_IdenticalSamples_DZeroPOne()
    {
        var values = Draw.Normals(22, 100);
        var result = KolmogorovSmirnov.TwoSample(values, values);
        Assert.Equal(0, result.D);
        Assert.Equal(1, result.PValue);
    }

    [Fact]
    public void TwoSample_MeanShift_DMatchesTwoPhiHalfDeltaMinusOne()
    {
        const double delta = 0.5;
        var reference = Draw.Normals(23, 40_000);
        var live = Draw.Normals(24, 40_000, mean: delta);
        var analytic = (2 * SpecialFunctions.NormalCdf(delta / 2)) - 1; // 0.1974

        var exact = KolmogorovSmirnov.TwoSample(reference, live);
        // Sampling sd of D here is about √(0.25·2/40000) ≈ 0.0035; allow about 3 sd.
        Assert.Equal(analytic, exact.D, tolerance: 0.01);
        Assert.True(exact.PValue < 1e-10);

        // Binned over the reference deciles: never above the exact D, and here close to it because the
        // decile q₀.₆ = 0.253 sits next to the point of largest gap, δ/2.
        var edges = BinEdges.FromQuantiles(reference, 10);
        Histogram r = new(edges), l = new(edges);
        foreach (var v in reference)
        {
            r.Add(v);
        }

        foreach (var v in live)
        {
            l.Add(v);
        }

        var binned = KolmogorovSmirnov.Binned(r, l);
        Assert.True(binned.D <= exact.D + 1e-12);
        Assert.Equal(analytic, binned.D, tolerance: 0.01);
    }

    [Theory]
    [InlineData(100, 100)]
    [InlineData(200, 500)]
    [InlineData(1000, 1000)]
    public void PValue_AtTableCriticalD_IsAboutFivePercent(int n, int m)
    {
        // Tabulated large-sample critical value at α = 0.05: D = 1.36·√((n+m)/(nm)).
        var critical = 1.36 * Math.Sqrt((n + m) / ((double)n * m));
        // Q_KS(1.36) = 0.0495 (the exact 5% point is 1.3581).
        Assert.Equal(0.05, KolmogorovSmirnov.PValue(critical, n, m, stephensCorrection: false), tolerance: 0.001);

        // Stephens' correction enlarges λ, so it can only lower the p-value.
        var corrected = KolmogorovSmirnov.PValue(critical, n, m);
        Assert.InRange(corrected, 0.03, 0.05);
    }

    [Fact]
    public void TwoSample_NoShift_RejectsAboutAlphaOfTheTime()
    {
        // 300 seeded trials of n = m = 80 at α = 0.05: expect 15; allow up to 15 + 2.33·√(300·0.05·0.95) ≈ 24.
        var rejections = 0;
        for (var t = 0; t < 300; t++)
        {
            if (KolmogorovSmirnov.TwoSample(Draw.Normals(1000 + t, 80), Draw.Normals(5000 + t, 80)).PValue <= 0.05)
            {
                rejections++;
            }
        }

        Assert.InRange(rejections, 3, 24);
    }

    [Fact]
    public void Binned_DifferentEdges_Throws()
    {
        var a = new Histogram(new BinEdges([0.0]));
        var b = new Histogram(new BinEdges([1.0]));
        Assert.Throws<ArgumentException>(() => KolmogorovSmirnov.Binned(a, b));
    }
}
