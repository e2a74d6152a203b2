using MlOps.Monitoring.Drift;
using MlOps.Monitoring.Statistics;

namespace MlOps.Monitoring.Tests.Drift;

public sealed class PopulationStabilityIndexTests
{
    private static (Histogram Reference, Histogram Live) Histograms(double[] reference, double[] live, int bins = 10)
    {
        var edges = BinEdges.FromQuantiles(reference, bins);
        Histogram r = new(edges), l = new(edges);
        foreach (var v in reference)
        {
            r.Add(v);
        }

        foreach (var v in live)
        {
            l.Add(v);
        }

        return (r, l);
    }

    [Fact]
    public void Compute_SameDistribution_NearZero()
    {
        var (r, l) = Histograms(Draw.Normals(10, 20_000), Draw.Normals(11, 20_000));
        // Expected value under no shift ≈ (k−1)(1/n + 1/m) = 9·1e-4.
        Assert.InRange(PopulationStabilityIndex.Compute(r, l), 0, 0.005);
        Assert.Equal(0, PopulationStabilityIndex.Compute(r, r), 12);
    }

    [Fact]
    public void Compute_MeanShiftHalfSd_MatchesAnalyticBinnedValue()
    {
        const double delta = 0.5;
        var (r, l) = Histograms(Draw.Normals(12, 50_000), Draw.Normals(13, 50_000, mean: delta));

        // Analytic PSI of N(0,1) vs N(δ,1) over the true deciles of N(0,1): eᵢ = 0.1,
        // aᵢ = Φ(qᵢ − δ) − Φ(qᵢ₋₁ − δ). (The unbinned value, the Jeffreys divergence, is δ² = 0.25.)
        var analytic = 0.0;
        var previous = 0.0;
        for (var i = 1; i <= 10; i++)
        {
            var cdf = i == 10 ? 1 : SpecialFunctions.NormalCdf(Draw.NormalQuantile(i / 10.0) - delta);
            var a = cdf - previous;
            analytic += (a - 0.1) * Math.Log(a / 0.1);
            previous = cdf;
        }

        Assert.InRange(analytic, 0.2, 0.25);
        Assert.Equal(analytic, PopulationStabilityIndex.Compute(r, l), 2);
        Assert.True(PopulationStabilityIndex.Compute(r, l) > PopulationStabilityIndex.ModerateShift);
    }

    [Fact]
    public void Compute_EmptyBin_IsFiniteThanksToEpsilon()
    {
        long[] reference = [50, 50, 0];
        long[] live = [0, 50, 50];
        var psi = PopulationStabilityIndex.Compute(reference, live);
        Assert.True(double.IsFinite(psi));
        // Two bins each contribute (0.5 − 1e-4)·ln(0.5/1e-4).
        Assert.Equal(2 * (0.5 - 1e-4) * Math.Log(0.5 / 1e-4), psi, 9);
    }
}
