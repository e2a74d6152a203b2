using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace MlOps.LoadTest.Scenarios;

/// <summary>
/// Reads thresholds written as <c>&lt;metric&gt; &lt;op&gt; &lt;number&gt;[unit]</c>, spaces optional:
/// <c>p99 &lt; 10ms</c>, <c>p99.9&lt;=250us</c>, <c>error_rate == 0</c>, <c>error_rate &lt; 1%</c>,
/// <c>throughput &gt;= 15000/s</c>, <c>errors == 0</c>.
/// </summary>
/// <remarks>
/// Latency metrics (p50, p90, p99, p99.9 or p999, max, mean) need a unit — us, ms or s — and are stored in
/// milliseconds; there is no default unit because <c>p99 &lt; 10</c> is ambiguous to a reader. The error rate is a
/// fraction (<c>0.01</c>) or a percentage (<c>1%</c>), stored as a fraction. Throughput (alias rps) is requests per
/// second, optionally written with <c>/s</c>, <c>rps</c> or <c>req/s</c>. Errors is a whole count.
/// </remarks>
public static class ThresholdParser
{
    private static readonly Dictionary<string, ThresholdMetric> Metrics = new(StringComparer.OrdinalIgnoreCase)
    {
        ["p50"] = ThresholdMetric.P50,
        ["p90"] = ThresholdMetric.P90,
        ["p99"] = ThresholdMetric.P99,
        ["p99.9"] = ThresholdMetric.P999,
        ["p999"] = ThresholdMetric.P999,
        ["max"] = ThresholdMetric.Max,
        ["mean"] = ThresholdMetric.Mean,
        ["error_rate"] = ThresholdMetric.ErrorRate,
        ["errors"] = ThresholdMetric.Errors,
        ["throughput"] = ThresholdMetric.Throughput,
        ["rps"] = ThresholdMetric.Throughput,
    };

    private const string Example = "e.g. 'p99 < 10ms', 'error_rate == 0' or 'throughput >= 15000'";

    /// <summary>Parses <paramref name="text"/> or throws a <see cref="FormatException"/> saying what is wrong.</summary>
    public static Threshold Parse(string text) =>
        TryParse(text, out var threshold, out var error) ? threshold : throw new FormatException(error);

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> quotes it and says what is wrong.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out Threshold? threshold, [NotNullWhen(false)] out string? error)
    {
        threshold = null;
        var trimmed = text?.Trim() ?? "";
        var opAt = trimmed.AsSpan().IndexOfAny("<>=!");
        if (opAt < 0)
        {
            error = $"threshold '{trimmed}' has no comparison; write <metric> <op> <value>, {Example}";
            return false;
        }

        var metricText = trimmed[..opAt].Trim();
        var opLength = opAt + 1 < trimmed.Length && trimmed[opAt + 1] == '=' ? 2 : 1;
        var opText = trimmed.Substring(opAt, opLength);
        var rest = trimmed[(opAt + opLength)..].Trim();

        if (!Metrics.TryGetValue(metricText, out var metric))
        {
            error = metricText.Length == 0
                ? $"threshold '{trimmed}' names no metric; {Example}"
                : $"threshold '{trimmed}' has an unknown metric '{metricText}'; expected one of: {string.Join(", ", Metrics.Keys)}";
            return false;
        }

        ThresholdComparison? comparison = opText switch
        {
            "<" => ThresholdComparison.Less,
            "<=" => ThresholdComparison.LessOrEqual,
            ">" => ThresholdComparison.Greater,
            ">=" => ThresholdComparison.GreaterOrEqual,
            "==" => ThresholdComparison.Equal,
            _ => null,
        };
        if (comparison is null)
        {
            error = $"threshold '{trimmed}' has an unsupported comparison '{opText}'; use <, <=, >, >= or ==";
            return false;
        }

        var numberEnd = 0;
        while (numberEnd < rest.Length && (char.IsAsciiDigit(rest[numberEnd]) || rest[numberEnd] is '.' or '-' or '+'))
        {
            numberEnd++;
        }

        if (!decimal.TryParse(rest[..numberEnd], NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            error = $"threshold '{trimmed}' needs a number after '{opText}'; {Example}";
            return false;
        }

        if (number < 0)
        {
            error = $"threshold '{trimmed}' compares with a negative number; every metric is 0 or more";
            return false;
        }

        var unit = rest[numberEnd..].Trim();
        if (!TryConvert(metric, metricText, number, unit, out var value, out var problem))
        {
            error = $"threshold '{trimmed}': {problem}";
            return false;
        }

        threshold = new Threshold(metric, comparison.Value, value, trimmed);
        error = null;
        return true;
    }

    /// <summary>Converts <paramref name="number"/> written with <paramref name="unit"/> into the metric's stored unit.</summary>
    private static bool TryConvert(ThresholdMetric metric, string metricText, decimal number, string unit, out double value, [NotNullWhen(false)] out string? problem)
    {
        // decimal until the end, so 250us is exactly 0.25 ms and 1% exactly 0.01.
        decimal? converted;
        switch (metric)
        {
            case ThresholdMetric.ErrorRate:
                converted = unit switch
                {
                    "" when number <= 1 => number,
                    "%" when number <= 100 => number / 100,
                    _ => null,
                };
                problem = converted is null
                    ? unit is "" or "%"
                        ? "an error rate is a fraction from 0 to 1 (0.01) or a percentage from 0% to 100% (1%)"
                        : $"unknown unit '{unit}' for the error rate; write a fraction (0.01) or a percentage (1%)"
                    : null;
                break;
            case ThresholdMetric.Errors:
                converted = unit.Length == 0 && number == decimal.Truncate(number) ? number : null;
                problem = converted is null ? "errors is a whole count with no unit, e.g. 'errors == 0'" : null;
                break;
            case ThresholdMetric.Throughput:
                converted = unit is "" or "/s" or "rps" or "req/s" ? number : null;
                problem = converted is null ? $"unknown unit '{unit}' for {metricText}; it is requests per second, written bare or with /s or rps" : null;
                break;
            default:
                converted = unit switch
                {
                    "us" => number / 1000,
                    "ms" => number,
                    "s" => number * 1000,
                    _ => null,
                };
                problem = converted is null
                    ? unit.Length == 0
                        ? $"{metricText} is a latency and needs a unit: us, ms or s (e.g. '{metricText} < 10ms')"
                        : $"unknown unit '{unit}' for {metricText}; use us, ms or s"
                    : null;
                break;
        }

        value = converted is { } c ? (double)c : 0;
        return problem is null;
    }
}
