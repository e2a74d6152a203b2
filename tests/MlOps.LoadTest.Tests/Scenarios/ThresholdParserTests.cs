using MlOps.LoadTest.Scenarios;

namespace MlOps.LoadTest.Tests.Scenarios;

public sealed class ThresholdParserTests
{
    [Theory]
    [InlineData("p99 < 10ms", ThresholdMetric.P99, ThresholdComparison.Less, 10)]
    [InlineData("p99.9<=250us", ThresholdMetric.P999, ThresholdComparison.LessOrEqual, 0.25)]
    [InlineData("p999 <= 1.5s", ThresholdMetric.P999, ThresholdComparison.LessOrEqual, 1500)]
    [InlineData("  P50>2 ms ", ThresholdMetric.P50, ThresholdComparison.Greater, 2)]
    [InlineData("p90 >= 0.5ms", ThresholdMetric.P90, ThresholdComparison.GreaterOrEqual, 0.5)]
    [InlineData("max < 1s", ThresholdMetric.Max, ThresholdComparison.Less, 1000)]
    [InlineData("mean == 3ms", ThresholdMetric.Mean, ThresholdComparison.Equal, 3)]
    [InlineData("error_rate == 0", ThresholdMetric.ErrorRate, ThresholdComparison.Equal, 0)]
    [InlineData("error_rate < 0.01", ThresholdMetric.ErrorRate, ThresholdComparison.Less, 0.01)]
    [InlineData("error_rate <= 1%", ThresholdMetric.ErrorRate, ThresholdComparison.LessOrEqual, 0.01)]
    [InlineData("errors == 0", ThresholdMetric.Errors, ThresholdComparison.Equal, 0)]
    [InlineData("errors<5", ThresholdMetric.Errors, ThresholdComparison.Less, 5)]
    [InlineData("throughput >= 15000", ThresholdMetric.Throughput, ThresholdComparison.GreaterOrEqual, 15000)]
    [InlineData("throughput > 100/s", ThresholdMetric.Throughput, ThresholdComparison.Greater, 100)]
    [InlineData("rps >= 2500.5 rps", ThresholdMetric.Throughput, ThresholdComparison.GreaterOrEqual, 2500.5)]
    public void Parse_ValidText_ReturnsThreshold(string text, ThresholdMetric metric, ThresholdComparison comparison, double value)
    {
        var threshold = ThresholdParser.Parse(text);

        Assert.Equal(new Threshold(metric, comparison, value, text.Trim()), threshold);
    }

    [Theory]
    [InlineData("", "no comparison")]
    [InlineData("p99 10ms", "no comparison")]
    [InlineData("< 10ms", "names no metric")]
    [InlineData("p95 < 10ms", "unknown metric 'p95'; expected one of: p50, p90, p99, p99.9")]
    [InlineData("p99 = 10ms", "unsupported comparison '='")]
    [InlineData("p99 != 10ms", "unsupported comparison '!='")]
    [InlineData("p99 < ms", "needs a number after '<'")]
    [InlineData("p99 < 10", "p99 is a latency and needs a unit: us, ms or s")]
    [InlineData("p99 < 10min", "unknown unit 'min' for p99")]
    [InlineData("p99 < -1ms", "negative")]
    [InlineData("error_rate < 5", "fraction from 0 to 1")]
    [InlineData("error_rate < 101%", "percentage from 0% to 100%")]
    [InlineData("error_rate < 1ms", "unknown unit 'ms' for the error rate")]
    [InlineData("errors < 1.5", "whole count")]
    [InlineData("throughput > 10ms", "unknown unit 'ms' for throughput")]
    public void Parse_InvalidText_ThrowsFormatExceptionSayingWhy(string text, string message)
    {
        var ex = Assert.Throws<FormatException>(() => ThresholdParser.Parse(text));

        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{text.Trim()}'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_Invalid_ReturnsFalseWithError()
    {
        Assert.False(ThresholdParser.TryParse("p99 < 10", out var threshold, out var error));
        Assert.Null(threshold);
        Assert.NotEmpty(error);
    }
}
