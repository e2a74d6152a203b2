namespace MlOps.LoadTest.Scenarios;

/// <summary>A target a run must meet, e.g. <c>p99 &lt; 10ms</c>, <c>error_rate == 0</c>, <c>throughput &gt;= 15000</c>.</summary>
/// <param name="Metric">What is compared.</param>
/// <param name="Comparison">How.</param>
/// <param name="Value">In the metric's unit: milliseconds for latencies, a fraction for the error rate, requests/s
/// for throughput, a count for errors.</param>
/// <param name="Text">The threshold as written, for reports.</param>
public sealed record Threshold(ThresholdMetric Metric, ThresholdComparison Comparison, double Value, string Text);

public enum ThresholdMetric
{
    P50,
    P90,
    P99,
    P999,
    Max,
    Mean,
    ErrorRate,
    Errors,
    Throughput,
}

public enum ThresholdComparison
{
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Equal,
}
