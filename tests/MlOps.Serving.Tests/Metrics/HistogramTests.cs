using MlOps.ServiceDefaults.Metrics;
using MlOps.Serving.Metrics;

namespace MlOps.Serving.Tests.Metrics;

public sealed class HistogramTests
{
    [Fact]
    public void Record_ValuesOnAndBetweenBounds_BucketIsInclusiveAndCountsCumulative()
    {
        var histogram = new Histogram([10, 20, 40]);

        foreach (var value in new long[] { 0, 10, 11, 20, 39, 40, 41, 1_000 })
        {
            histogram.Record(value);
        }

        var snapshot = histogram.Snapshot();
        Assert.Equal([10L, 20, 40], snapshot.UpperBounds);
        Assert.Equal([2L, 4, 6], snapshot.CumulativeCounts); // le=10: 0,10; le=20: +11,20; le=40: +39,40
        Assert.Equal(8, snapshot.Count); // +Inf: 41 and 1000 too
        Assert.Equal(0 + 10 + 11 + 20 + 39 + 40 + 41 + 1_000, snapshot.Sum);
    }

    [Fact]
    public void Snapshot_NothingRecorded_AllZero()
    {
        var snapshot = new Histogram(HistogramBuckets.LatencyNanoseconds).Snapshot();

        Assert.Equal(16, snapshot.UpperBounds.Count);
        Assert.All(snapshot.CumulativeCounts, c => Assert.Equal(0, c));
        Assert.Equal((0L, 0L), (snapshot.Count, snapshot.Sum));
    }

    [Fact]
    public async Task Record_ManyThreads_NoObservationLost()
    {
        var histogram = new Histogram(HistogramBuckets.LatencyNanoseconds);
        const int threads = 8, each = 20_000;

        await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < each; i++)
            {
                histogram.Record((t * each + i) % 3 == 0 ? 75_000 : 3_000_000);
            }
        })));

        var snapshot = histogram.Snapshot();
        Assert.Equal(threads * each, snapshot.Count);
        var fast = Enumerable.Range(0, threads * each).Count(n => n % 3 == 0);
        Assert.Equal(fast, snapshot.CumulativeCounts[1]); // le=100µs
        Assert.Equal(threads * each, snapshot.CumulativeCounts[6]); // le=5ms
        Assert.Equal((fast * 75_000L) + ((threads * each - fast) * 3_000_000L), snapshot.Sum);
    }

    [Fact]
    public void Constructor_BoundsNotAscending_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Histogram([10, 10]));
    }

    [Theory]
    [InlineData(64, new long[] { 1, 2, 4, 8, 16, 32, 64 })]
    [InlineData(100, new long[] { 1, 2, 4, 8, 16, 32, 64, 100 })]
    [InlineData(1, new long[] { 1 })]
    [InlineData(0, new long[] { 1 })]
    public void BatchSizes_MaxBatch_PowersOfTwoUpToTheMaximum(int maxBatchSize, long[] expected)
    {
        Assert.Equal(expected, HistogramBuckets.BatchSizes(maxBatchSize));
    }

    [Fact]
    public void LatencyNanoseconds_From50MicrosecondsTo5Seconds()
    {
        Assert.Equal(50_000, HistogramBuckets.LatencyNanoseconds[0]);
        Assert.Equal(5_000_000_000, HistogramBuckets.LatencyNanoseconds[^1]);
    }
}
