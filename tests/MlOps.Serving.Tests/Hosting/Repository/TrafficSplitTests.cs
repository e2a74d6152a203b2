using MlOps.Serving.Hosting.Repository;

namespace MlOps.Serving.Tests.Hosting.Repository;

public sealed class TrafficSplitTests
{
    [Theory]
    [InlineData(90, 10)]
    [InlineData(50, 50)]
    [InlineData(99, 1)]
    [InlineData(67, 33)]
    public void Next_TenThousandPicks_SharesExactlyAsWeighted(int stable, int canary)
    {
        var split = new TrafficSplit([KeyValuePair.Create("1", stable), KeyValuePair.Create("2", canary)]);

        var picks = Enumerable.Range(0, 10_000).Select(_ => split.Next()).ToList();

        Assert.Equal(stable * 100, picks.Count(p => p == "1"));
        Assert.Equal(canary * 100, picks.Count(p => p == "2"));
    }

    [Fact]
    public void Next_TenPercentCanary_Interleaved()
    {
        var split = new TrafficSplit([KeyValuePair.Create("1", 90), KeyValuePair.Create("2", 10)]);

        var picks = Enumerable.Range(0, 1_000).Select(_ => split.Next()).ToList();

        // Every window of 50 consecutive requests holds some canary requests: not ten in a row then ninety without.
        for (var start = 0; start + 50 <= picks.Count; start += 50)
        {
            Assert.InRange(picks.Skip(start).Take(50).Count(p => p == "2"), 3, 7);
        }
    }

    [Fact]
    public void Constructor_NoPositiveWeight_Throws() =>
        Assert.Throws<ArgumentException>(() => new TrafficSplit([KeyValuePair.Create("1", 0)]));
}
