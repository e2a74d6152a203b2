using System.Diagnostics;
using MlOps.LoadTest.Running;

namespace MlOps.LoadTest.Tests.Running;

public class LatencyRecorderTests
{
    private static long Ticks(double micros) => (long)(micros * Stopwatch.Frequency / 1_000_000.0);

    /// <summary>The exact percentile of a sorted sample, nearest-rank (HdrHistogram's definition).</summary>
    private static double Exact(double[] sorted, double percentile)
    {
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static (LatencyRecorder Recorder, double[] SortedMillis) Record(IEnumerable<double> micros)
    {
        var recorder = new LatencyRecorder(60);
        const long start = 1_000_000;
        recorder.StartWindow(start);
        var values = micros.ToArray();
        foreach (var value in values)
        {
            recorder.Record(start, start + Ticks(value), null);
        }

        return (recorder, values.Select(v => Math.Floor(v) / 1000.0).Order().ToArray());
    }

    [Theory]
    [InlineData("uniform")]
    [InlineData("exponential")]
    [InlineData("lognormal")]
    public void Summary_KnownDistribution_PercentilesWithinHistogramPrecision(string distribution)
    {
        var random = new Random(7);
        var micros = Enumerable.Range(0, 200_000).Select(_ => distribution switch
        {
            "uniform" => 1 + (random.NextDouble() * 99_999),
            "exponential" => 50 - (Math.Log(1 - random.NextDouble()) * 2_000),
            _ => Math.Exp(6 + (1.5 * Normal(random))),
        }).ToArray();

        var (recorder, sorted) = Record(micros);
        var summary = recorder.Summary();

        // Three significant digits: every reported value is within 0.1 % (plus the 1 µs unit) of the exact one.
        foreach (var (percentile, reported) in new[] { (50.0, summary.P50), (90.0, summary.P90), (99.0, summary.P99), (99.9, summary.P999) })
        {
            var exact = Exact(sorted, percentile);
            Assert.InRange(reported, (exact * 0.999) - 0.001, (exact * 1.001) + 0.001);
        }

        Assert.InRange(summary.Max, sorted[^1] * 0.999, (sorted[^1] * 1.001) + 0.001);
        Assert.InRange(summary.Min, (sorted[0] * 0.999) - 0.001, (sorted[0] * 1.001) + 0.001);
        Assert.InRange(summary.Mean, sorted.Average() * 0.999, sorted.Average() * 1.001);
        Assert.Equal(micros.Length, recorder.Requests);
    }

    [Fact]
    public void Summary_UniformOneToHundredMs_MedianIsFiftyMs()
    {
        var (recorder, _) = Record(Enumerable.Range(1, 100_000).Select(i => (double)i));

        var summary = recorder.Summary();

        Assert.InRange(summary.P50, 49.95, 50.05);
        Assert.InRange(summary.P99, 98.9, 99.1);
        Assert.InRange(summary.P999, 99.8, 100.0);
    }

    [Fact]
    public void Distribution_Always_MonotonicUpToTheMaximum()
    {
        var random = new Random(3);
        var (recorder, sorted) = Record(Enumerable.Range(0, 50_000).Select(_ => 10 + (random.NextDouble() * 5_000)));

        var points = recorder.Distribution();

        Assert.True(points.Count > 10);
        for (var i = 1; i < points.Count; i++)
        {
            Assert.True(points[i].Percentile >= points[i - 1].Percentile);
            Assert.True(points[i].Latency >= points[i - 1].Latency);
        }

        Assert.Equal(100, points[^1].Percentile);
        Assert.InRange(points[^1].Latency, sorted[^1] * 0.999, (sorted[^1] * 1.001) + 0.001);
    }

    [Fact]
    public void Record_StartBeforeWindow_IsWarmUpAndDropped()
    {
        var recorder = new LatencyRecorder(10);
        var window = Ticks(5_000_000);
        recorder.StartWindow(window);

        recorder.Record(window - 1, window + Ticks(100), "UNAVAILABLE");
        recorder.Record(window, window + Ticks(100), null);

        Assert.Equal(1, recorder.Requests);
        Assert.Equal(0, recorder.Errors);
        Assert.Empty(recorder.ErrorsByStatus());
    }

    [Fact]
    public void Series_RequestsByCompletionSecond_CountsAndErrorsPerSecond()
    {
        var recorder = new LatencyRecorder(10);
        const long window = 1_000;
        recorder.StartWindow(window);
        var second = Stopwatch.Frequency;

        recorder.Record(window, window + (second / 2), null);
        recorder.Record(window, window + (second / 2), "HTTP 503");
        recorder.Record(window, window + (2 * second) + 1, "HTTP 503");
        recorder.Record(window, window + (2 * second) + 2, "timeout");

        var series = recorder.Series();

        Assert.Equal([0, 1, 2], series.Select(s => s.Second));
        Assert.Equal([2L, 0L, 2L], series.Select(s => s.Requests));
        Assert.Equal([1L, 0L, 2L], series.Select(s => s.Errors));
        Assert.Equal(new Dictionary<string, long> { ["HTTP 503"] = 2, ["timeout"] = 1 }, recorder.ErrorsByStatus());
        Assert.InRange(series[2].P50, 1980, 2020);
    }

    [Fact]
    public void Summary_NothingRecorded_Empty()
    {
        var recorder = new LatencyRecorder(1);

        Assert.Equal(0, recorder.Summary().P99);
        Assert.Empty(recorder.Distribution());
        Assert.Empty(recorder.Series());
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
