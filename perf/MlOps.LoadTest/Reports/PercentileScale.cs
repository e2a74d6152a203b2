using System.Globalization;

namespace MlOps.LoadTest.Reports;

/// <summary>
/// The x axis of HdrHistogram's percentile plots: <c>x = log10(1 / (1 - p/100))</c>, so 90% is at 1, 99% at 2,
/// 99.9% at 3 and every further nine gets the same width. A linear axis would crush the tail, where latency
/// problems live, into the last pixel.
/// </summary>
internal static class PercentileScale
{
    /// <summary>
    /// The most nines plotted. 100% itself is infinitely far out; HdrHistogram's last bucket is reported as 100%,
    /// so it is drawn here.
    /// </summary>
    public const int MaxNines = 6;

    /// <summary>The x position of <paramref name="percentile"/> (0..100; clamped to that range).</summary>
    public static double ToX(double percentile)
    {
        if (double.IsNaN(percentile) || percentile <= 0)
        {
            return 0;
        }

        var remaining = 1 - Math.Min(percentile, 100) / 100;
        return Math.Min(Math.Log10(1 / remaining), MaxNines);
    }

    /// <summary>The percentile at x position <paramref name="x"/>, the inverse of <see cref="ToX"/>.</summary>
    public static double FromX(double x) => 100 * (1 - Math.Pow(10, -x));

    /// <summary>
    /// Ticks at each nine (0%, 90%, 99%, 99.9%, ...) up to the first that covers <paramref name="maxX"/>, and at
    /// least up to 99%, so that a short distribution still shows where its tail would be.
    /// </summary>
    public static IReadOnlyList<AxisTick> Ticks(double maxX)
    {
        var last = (int)Math.Clamp(Math.Ceiling(maxX - 1e-9), 2, MaxNines);
        return [.. Enumerable.Range(0, last + 1).Select(n => new AxisTick(n, Label(n)))];
    }

    /// <summary>The label of the tick at <paramref name="nines"/> nines: 0%, 90%, 99%, 99.9%, ...</summary>
    public static string Label(int nines) => nines switch
    {
        0 => "0%",
        1 => "90%",
        2 => "99%",
        _ => "99." + new string('9', nines - 2) + "%",
    };

    /// <summary>A percentile as text without float noise, e.g. 99.99 rather than 99.98999999999999.</summary>
    public static string Format(double percentile) =>
        Math.Round(percentile, 6).ToString("0.######", CultureInfo.InvariantCulture) + "%";
}
