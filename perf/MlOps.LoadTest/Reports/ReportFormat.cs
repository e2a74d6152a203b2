using System.Globalization;
using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Reports;

/// <summary>Number formats shared by every report, so the console, markdown and HTML agree to the digit.</summary>
internal static class ReportFormat
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>
    /// A latency in milliseconds with about three significant digits: sub-millisecond latencies need the
    /// microseconds, multi-second ones do not need any decimals.
    /// </summary>
    public static string Milliseconds(double ms) => ms switch
    {
        double.NaN => "n/a",
        < 1 => ms.ToString("0.000", Invariant),
        < 10 => ms.ToString("0.00", Invariant),
        < 100 => ms.ToString("0.0", Invariant),
        _ => ms.ToString("#,0", Invariant),
    };

    /// <summary>A rate in requests per second: whole numbers once they are large enough that decimals are noise.</summary>
    public static string Rate(double perSecond) => double.IsNaN(perSecond)
        ? "n/a"
        : perSecond.ToString(perSecond >= 100 ? "#,0" : "0.0", Invariant);

    public static string Count(long count) => count.ToString("#,0", Invariant);

    /// <summary>Error count, with the error rate when there were any.</summary>
    public static string Errors(long errors, double rate) => errors == 0
        ? "0"
        : string.Create(Invariant, $"{Count(errors)} ({Percent(rate)})");

    /// <summary>A ratio (0..1) as a percentage with enough digits to tell 0.01% from 0%.</summary>
    public static string Percent(double ratio) => (ratio * 100).ToString(ratio < 0.01 ? "0.###" : "0.#", Invariant) + "%";

    public static string Seconds(double seconds) => seconds.ToString("0.#", Invariant) + " s";

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => (bytes / (double)(1L << 30)).ToString("0.#", Invariant) + " GiB",
        >= 1L << 20 => (bytes / (double)(1L << 20)).ToString("0.#", Invariant) + " MiB",
        _ => Count(bytes) + " B",
    };

    public static string Number(double value, string format = "0.##") => value.ToString(format, Invariant);

    /// <summary>ISO 8601 with the offset, to the second: the form that sorts and that every reader parses.</summary>
    public static string Timestamp(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm:ss zzz", Invariant);

    /// <summary>The summary's PASS/FAIL cell; a run without thresholds has nothing to pass.</summary>
    public static string Verdict(RunResult run) => run.Thresholds.Count == 0 ? "-" : run.Passed ? "PASS" : "FAIL";
}
