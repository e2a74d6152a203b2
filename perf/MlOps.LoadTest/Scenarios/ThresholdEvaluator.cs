using System.Globalization;
using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Scenarios;

/// <summary>
/// Checks a run's measurements against its thresholds. Comparisons are exact: <c>p99 &lt; 10ms</c> fails at
/// 10.0 ms, <c>p99 &lt;= 10ms</c> passes. The result is meant for <c>result with { Thresholds = outcomes }</c>.
/// </summary>
public static class ThresholdEvaluator
{
    /// <summary>One outcome per threshold, in the order given.</summary>
    /// <remarks>
    /// A latency or error-rate threshold fails when no request completed: the run then has no latency and an
    /// error rate of 0, and passing <c>p99 &lt; 10ms</c> or <c>error_rate == 0</c> on a run that measured nothing
    /// would hide the failure. Counts and throughput are still compared (they are honestly 0).
    /// </remarks>
    public static IReadOnlyList<ThresholdOutcome> Evaluate(IReadOnlyList<Threshold> thresholds, RunResult result)
    {
        var outcomes = new List<ThresholdOutcome>(thresholds.Count);
        foreach (var threshold in thresholds)
        {
            if (result.Requests == 0 && threshold.Metric is not (ThresholdMetric.Errors or ThresholdMetric.Throughput))
            {
                outcomes.Add(new ThresholdOutcome(threshold.Text, "no requests completed", Passed: false));
                continue;
            }

            var actual = Actual(threshold.Metric, result);
            outcomes.Add(new ThresholdOutcome(threshold.Text, Format(threshold.Metric, actual), Holds(threshold.Comparison, actual, threshold.Value)));
        }

        return outcomes;
    }

    /// <summary>The measured value in the unit <see cref="Threshold.Value"/> uses for the metric.</summary>
    public static double Actual(ThresholdMetric metric, RunResult result) => metric switch
    {
        ThresholdMetric.P50 => result.Latency.P50,
        ThresholdMetric.P90 => result.Latency.P90,
        ThresholdMetric.P99 => result.Latency.P99,
        ThresholdMetric.P999 => result.Latency.P999,
        ThresholdMetric.Max => result.Latency.Max,
        ThresholdMetric.Mean => result.Latency.Mean,
        ThresholdMetric.ErrorRate => result.ErrorRate,
        ThresholdMetric.Errors => result.Errors,
        ThresholdMetric.Throughput => result.Throughput,
        _ => throw new ArgumentOutOfRangeException(nameof(metric), metric, "unknown threshold metric"),
    };

    private static bool Holds(ThresholdComparison comparison, double actual, double limit) => comparison switch
    {
        ThresholdComparison.Less => actual < limit,
        ThresholdComparison.LessOrEqual => actual <= limit,
        ThresholdComparison.Greater => actual > limit,
        ThresholdComparison.GreaterOrEqual => actual >= limit,
        ThresholdComparison.Equal => actual == limit,
        _ => throw new ArgumentOutOfRangeException(nameof(comparison), comparison, "unknown threshold comparison"),
    };

    /// <summary>The value with its unit for reports: <c>12.3 ms</c>, <c>0.00 %</c>, <c>15,234 req/s</c>, <c>3 errors</c>.</summary>
    public static string Format(ThresholdMetric metric, double actual)
    {
        var culture = CultureInfo.InvariantCulture;
        switch (metric)
        {
            case ThresholdMetric.ErrorRate:
                var percent = actual * 100;

                // A rate that rounds to 0.00 % must not read as zero next to a failed 'error_rate == 0'.
                return (percent is > 0 and < 0.005 ? percent.ToString("G3", culture) : percent.ToString("0.00", culture)) + " %";
            case ThresholdMetric.Errors:
                return actual == 1 ? "1 error" : $"{actual.ToString("N0", culture)} errors";
            case ThresholdMetric.Throughput:
                return (actual >= 100 ? actual.ToString("N0", culture) : actual.ToString("0.##", culture)) + " req/s";
            default:
                // Three decimals keep sub-millisecond latencies readable and a near miss (9.996 ms) visible.
                return actual.ToString("#,0.###", culture) + " ms";
        }
    }
}
