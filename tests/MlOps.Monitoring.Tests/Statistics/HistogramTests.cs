using MlOps.Monitoring.Statistics;

namespace MlOps.Monitoring.Tests.Statistics;

public sealed class HistogramTests
{
    [Fact]
    public void FromQuantiles_Deciles_SplitReferenceEvenly()
    {
        var values = Draw.Normals(3, 10_000);
        var histogram = new Histogram(BinEdges.FromQuantiles(values, 10));
        foreach (var v in values)
        {
            histogram.Add(v);
        }

        Assert.Equal(10, histogram.Edges.BinCount);
        foreach (var count in histogram.Counts)
        {
            Assert.InRange(count, 999, 1001);
        }
    }

    [Fact]
    public void FromQuantiles_Ties_CollapseToFewerBins()
    {
        double[] values = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2];
        var edges = BinEdges.FromQuantiles(values, 10);
        Assert.True(edges.BinCount < 10);
        Assert.Equal([0.0, 0.2, 1.1], edges.Inner.ToArray().Select(e => Math.Round(e, 9)));
    }

    [Fact]
    public void BinOf_OuterBinsAreOpenAndEdgesGoUp()
    {
        var edges = new BinEdges([-1.0, 0.0, 1.0]);
        Assert.Equal(0, edges.BinOf(double.NegativeInfinity));
        Assert.Equal(0, edges.BinOf(-1.5));
        Assert.Equal(1, edges.BinOf(-1.0));
        Assert.Equal(2, edges.BinOf(0.0));
        Assert.Equal(3, edges.BinOf(1.0));
        Assert.Equal(3, edges.BinOf(1e300));
    }

    [Fact]
    public void Merge_TwoHalves_EqualsWhole()
    {
        var values = Draw.Normals(4, 2000);
        var edges = BinEdges.FromQuantiles(values.AsSpan(0, 500), 10);
        Histogram whole = new(edges), left = new(edges), right = new(edges);
        for (var i = 0; i < values.Length; i++)
        {
            whole.Add(values[i]);
            (i % 3 == 0 ? left : right).Add(values[i]);
        }

        left.Add(double.NaN);
        whole.Add(double.NaN);
        left.Merge(right);
        Assert.Equal(whole.Counts.ToArray(), left.Counts.ToArray());
        Assert.Equal(whole.Total, left.Total);
        Assert.Equal(1, left.NaNCount);
    }

    [Fact]
    public void Merge_DifferentEdges_Throws()
    {
        var a = new Histogram(new BinEdges([0.0, 1.0]));
        var b = new Histogram(new BinEdges([0.0, 2.0]));
        Assert.Throws<ArgumentException>(() => a.Merge(b));
    }

    [Fact]
    public void BinEdges_NotIncreasing_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BinEdges([0.0, 0.0]));
        Assert.Contains("strictly increasing", ex.Message);
        Assert.Throws<ArgumentException>(() => new BinEdges([double.NaN]));
    }
}
