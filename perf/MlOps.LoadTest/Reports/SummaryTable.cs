using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Reports;

/// <summary>A column of the run summary: its header and whether its cells are numbers (right-aligned).</summary>
internal sealed record SummaryColumn(string Header, bool Numeric);

/// <summary>
/// The one-row-per-run summary that the console, markdown and HTML reports all show, defined once so the three
/// never disagree on a column or a digit.
/// </summary>
internal static class SummaryTable
{
    /// <summary>Index of the PASS/FAIL column, which the HTML report colours.</summary>
    public const int VerdictColumn = 11;

    public static IReadOnlyList<SummaryColumn> Columns { get; } =
    [
        new("scenario", false),
        new("transport", false),
        new("load", false),
        new("requests", true),
        new("errors", true),
        new("req/s", true),
        new("p50 ms", true),
        new("p90 ms", true),
        new("p99 ms", true),
        new("p99.9 ms", true),
        new("max ms", true),
        new("thresholds", false),
    ];

    public static IReadOnlyList<string> Row(RunResult run) =>
    [
        run.Scenario,
        run.Transport,
        run.LoadModel,
        ReportFormat.Count(run.Requests),
        ReportFormat.Errors(run.Errors, run.ErrorRate),
        ReportFormat.Rate(run.Throughput),
        ReportFormat.Milliseconds(run.Latency.P50),
        ReportFormat.Milliseconds(run.Latency.P90),
        ReportFormat.Milliseconds(run.Latency.P99),
        ReportFormat.Milliseconds(run.Latency.P999),
        ReportFormat.Milliseconds(run.Latency.Max),
        ReportFormat.Verdict(run),
    ];

    /// <summary>Every threshold that failed, with the run it belongs to.</summary>
    public static IEnumerable<(RunResult Run, ThresholdOutcome Outcome)> Failures(LoadReport report) =>
        report.Runs.SelectMany(run => run.Thresholds.Where(t => !t.Passed).Select(t => (run, t)));
}
