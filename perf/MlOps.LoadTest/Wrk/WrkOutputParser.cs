using System.Globalization;
using System.Text.RegularExpressions;

namespace MlOps.LoadTest.Wrk;

/// <summary>
/// Reads wrk 4.x's summary. The lines it relies on, as <c>wrk --latency</c> prints them:
/// <code>
///      50%   43.97ms
///      99%    1.02s
///   184 requests in 2.00s, 20.74KB read
///   Non-2xx or 3xx responses: 92
///   Socket errors: connect 0, read 3, write 0, timeout 12
/// Requests/sec:     91.79
/// </code>
/// Latencies carry wrk's own units (<c>us</c>, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>); the error lines appear only
/// when their counts are not zero.
/// </summary>
internal static partial class WrkOutputParser
{
    /// <summary>Parses <paramref name="output"/>; <paramref name="raw"/> becomes <see cref="WrkResult.RawOutput"/>.</summary>
    /// <exception cref="LoadTestException">The output has no <c>Requests/sec</c> or request count (wrk did not run).</exception>
    public static WrkResult Parse(string output, string? raw = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        var rate = RequestsPerSecondLine().Match(output);
        var total = RequestsLine().Match(output);
        if (!rate.Success || !total.Success)
        {
            throw new LoadTestException($"wrk's output has no 'Requests/sec:' or 'N requests in' line:{Environment.NewLine}{output}");
        }

        var non2xx = Non2xxLine().Match(output);
        var socket = SocketErrorsLine().Match(output);
        var socketErrors = socket.Success
            ? Enumerable.Range(1, 4).Sum(g => long.Parse(socket.Groups[g].Value, CultureInfo.InvariantCulture))
            : 0;
        return new WrkResult(
            double.Parse(rate.Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(total.Groups[1].Value, CultureInfo.InvariantCulture),
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            socketErrors,
            Percentile(output, "50"),
            Percentile(output, "99"),
            raw ?? output);
    }

    /// <summary>A wrk duration such as <c>812.00us</c>, <c>1.02s</c> or <c>2.50m</c>, in milliseconds.</summary>
    internal static double Milliseconds(string number, string unit)
    {
        var value = double.Parse(number, CultureInfo.InvariantCulture);
        return unit switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            "m" => value * 60_000,
            "h" => value * 3_600_000,
            _ => throw new LoadTestException($"wrk printed a latency in an unknown unit: {number}{unit}"),
        };
    }

    private static double? Percentile(string output, string percent)
    {
        foreach (Match line in DistributionLine().Matches(output))
        {
            if (line.Groups["percent"].Value == percent)
            {
                return Milliseconds(line.Groups["value"].Value, line.Groups["unit"].Value);
            }
        }

        return null;
    }

    [GeneratedRegex(@"^Requests/sec:\s+([0-9]+(?:\.[0-9]+)?)\s*$", RegexOptions.Multiline)]
    private static partial Regex RequestsPerSecondLine();

    [GeneratedRegex(@"^\s*([0-9]+) requests in ", RegexOptions.Multiline)]
    private static partial Regex RequestsLine();

    [GeneratedRegex(@"^\s*Non-2xx or 3xx responses:\s+([0-9]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Non2xxLine();

    [GeneratedRegex(@"^\s*Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)\s*$", RegexOptions.Multiline)]
    private static partial Regex SocketErrorsLine();

    // Only the "Latency Distribution" block has lines made of just a percentage and a duration.
    [GeneratedRegex(@"^\s*(?<percent>[0-9]+)(?:\.0+)?%\s+(?<value>[0-9]+(?:\.[0-9]+)?)(?<unit>us|ms|s|m|h)\s*$", RegexOptions.Multiline)]
    private static partial Regex DistributionLine();
}
