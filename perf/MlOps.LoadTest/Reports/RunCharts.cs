using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Reports;

/// <summary>
/// Turns runs into the charts of the HTML report: what to plot against what, on which axes. Each method returns
/// null when the run has nothing to plot, and the report says so in words instead of drawing an empty frame.
/// </summary>
internal static class RunCharts
{
    /// <summary>Colours that stay apart for the common forms of colour blindness (Okabe and Ito, 2008).</summary>
    private static readonly string[] Palette =
        ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#000000", "#f0e442"];

    private const string P50Color = "#0072b2";
    private const string P99Color = "#e69f00";
    private const string MaxColor = "#d55e00";
    private const string RequestsColor = "#56b4e9";
    private const string ErrorsColor = "#cc3311";

    /// <summary>p50, p99 and max of each second, with the run's actions as bands.</summary>
    public static ChartSpec? LatencyOverTime(RunResult run)
    {
        if (run.Series.Count == 0)
        {
            return null;
        }

        // A second in which nothing completed has no latency; NaN breaks the line there instead of plotting zero.
        ChartSeries Line(string name, string color, Func<SecondSample, double> value) => new(
            name, color, [.. run.Series.Select(s => new ChartPoint(s.Second + 0.5, s.Requests > 0 ? value(s) : double.NaN))]);

        var series = new[] { Line("p50", P50Color, s => s.P50), Line("p99", P99Color, s => s.P99), Line("max", MaxColor, s => s.Max) };
        return new ChartSpec(
            $"Latency per second: {run.Scenario}",
            TimeAxis(run),
            new ChartAxis("latency (ms)", NiceScale.Ticks(0, MaxFinite(series.SelectMany(s => s.Points).Select(p => p.Y)))),
            series)
        {
            Markers = Markers(run),
        };
    }

    /// <summary>Requests completed each second as bars, errors drawn over them, on the same time axis as latency.</summary>
    public static ChartSpec? Throughput(RunResult run)
    {
        if (run.Series.Count == 0)
        {
            return null;
        }

        var requests = new ChartSeries(
            "requests/s", RequestsColor, [.. run.Series.Select(s => new ChartPoint(s.Second + 0.5, s.Requests))], SeriesStyle.Bars);
        var errors = new ChartSeries(
            "errors/s", ErrorsColor, [.. run.Series.Select(s => new ChartPoint(s.Second + 0.5, s.Errors))], SeriesStyle.Bars);
        return new ChartSpec(
            $"Throughput per second: {run.Scenario}",
            TimeAxis(run),
            new ChartAxis("requests/s", NiceScale.Ticks(0, MaxFinite(requests.Points.Select(p => p.Y)), targetTicks: 3)),
            run.Errors > 0 ? [requests, errors] : [requests])
        {
            Markers = Markers(run),
            PlotHeight = 110,
            BarWidth = 0.85,
        };
    }

    /// <summary>The run's latency against percentile on the log-nines axis.</summary>
    public static ChartSpec? Distribution(RunResult run)
    {
        if (run.Distribution.Count == 0)
        {
            return null;
        }

        return DistributionChart($"Latency by percentile: {run.Scenario}", [DistributionSeries(run, Palette[0])]);
    }

    /// <summary>Every run's distribution on one chart, so runs can be compared at the same percentile.</summary>
    public static ChartSpec? CombinedDistribution(IReadOnlyList<RunResult> runs)
    {
        var plotted = runs.Where(r => r.Distribution.Count > 0).ToList();
        if (plotted.Count == 0)
        {
            return null;
        }

        return DistributionChart(
            "Latency by percentile: all runs",
            [.. plotted.Select((run, i) => DistributionSeries(run, Palette[i % Palette.Length]))]);
    }

    private static ChartSpec DistributionChart(string title, IReadOnlyList<ChartSeries> series)
    {
        var points = series.SelectMany(s => s.Points).ToList();
        return new ChartSpec(
            title,
            new ChartAxis("percentile", PercentileScale.Ticks(points.Max(p => p.X))),
            new ChartAxis("latency (ms)", NiceScale.Ticks(0, MaxFinite(points.Select(p => p.Y)))),
            series);
    }

    private static ChartSeries DistributionSeries(RunResult run, string color) => new(
        run.Scenario,
        color,
        [.. run.Distribution.OrderBy(p => p.Percentile).Select(p => new ChartPoint(PercentileScale.ToX(p.Percentile), p.Latency))]);

    /// <summary>Seconds from the window's start to its end, or to the last sample or action if those run later.</summary>
    private static ChartAxis TimeAxis(RunResult run)
    {
        var end = new[] { run.DurationSeconds, run.Series.Count == 0 ? 0 : run.Series.Max(s => s.Second) + 1 }
            .Concat(run.Events.Select(e => e.EndSeconds ?? e.StartSeconds));
        return new ChartAxis("seconds into the measured window", NiceScale.Ticks(0, MaxFinite(end), targetTicks: 8));
    }

    private static List<ChartMarker> Markers(RunResult run) =>
    [
        .. run.Events.Select(e => new ChartMarker(
            e.Label,
            e.StartSeconds,
            e.EndSeconds,
            $"{e.Label}: {ReportFormat.Number(e.StartSeconds, "0.0")} s to " +
            (e.EndSeconds is { } end ? $"{ReportFormat.Number(end, "0.0")} s" : "?") +
            (e.ExitCode is { } code ? $", exit code {code}" : ""))),
    ];

    private static double MaxFinite(IEnumerable<double> values) =>
        values.Where(double.IsFinite).DefaultIfEmpty(0).Max();
}
