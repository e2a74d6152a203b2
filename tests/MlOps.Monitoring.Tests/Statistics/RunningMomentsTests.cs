using MlOps.Monitoring.Statistics;

namespace MlOps.Monitoring.Tests.Statistics;

public sealed class RunningMomentsTests
{
    [Fact]
    public void Add_MatchesTwoPassFormulas()
    {
        var values = Draw.Normals(1, 1000, mean: 1e6, sd: 3);
        var moments = new RunningMoments();
        foreach (var v in values)
        {
            moments.Add(v);
        }

        var mean = values.Average();
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1);
        Assert.Equal(1000, moments.Count);
        Assert.Equal(mean, moments.Mean, 6);
        Assert.Equal(variance, moments.Variance, 6);
        Assert.Equal(values.Min(), moments.Min);
        Assert.Equal(values.Max(), moments.Max);
    }

    [Fact]
    public void Merge_TwoHalves_EqualsWhole()
    {
        var values = Draw.Normals(2, 1001, mean: 5, sd: 2);
        RunningMoments whole = new(), left = new(), right = new();
        for (var i = 0; i < values.Length; i++)
        {
            whole.Add(values[i]);
            (i < 300 ? left : right).Add(values[i]);
        }

        left.Merge(right);
        Assert.Equal(whole.Count, left.Count);
        Assert.Equal(whole.Mean, left.Mean, 12);
        Assert.Equal(whole.Variance, left.Variance, 10);
        Assert.Equal(whole.Min, left.Min);
        Assert.Equal(whole.Max, left.Max);
    }

    [Fact]
    public void Merge_IntoEmpty_CopiesAndNaNIsIgnored()
    {
        var source = new RunningMoments();
        source.Add(1);
        source.Add(double.NaN);
        source.Add(3);
        var target = new RunningMoments();
        target.Merge(source);
        target.Merge(new RunningMoments());
        Assert.Equal(2, target.Count);
        Assert.Equal(2, target.Mean);
        Assert.Equal(2, target.Variance);
    }
}
