using System.Globalization;
using System.Net;
using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Reports;

/// <summary>
/// Renders a <see cref="LoadReport"/> as one self-contained HTML file: the summary, the machine, notes, thresholds
/// and, for each run, latency and throughput over time and the latency distribution as inline SVG. It loads
/// nothing (no scripts, fonts or stylesheets) so it can be archived, mailed or opened offline, and a content
/// security policy makes sure of it. Every string from the data is HTML-escaped.
/// </summary>
public static class HtmlReport
{
    private const string Style = """
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222;
               max-width: 1100px; margin: 2em auto; padding: 0 1em; }
        h1 { margin-bottom: .2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ddd; } h3 { margin-bottom: .3em; }
        table { border-collapse: collapse; margin: .4em 0 1em; }
        th, td { padding: .25em .7em; border-bottom: 1px solid #e5e5e5; text-align: left; vertical-align: top; }
        th { background: #f6f8fa; } .num { text-align: right; font-variant-numeric: tabular-nums; }
        .pass { color: #1a7f37; font-weight: 600; } .fail { color: #cf222e; font-weight: 600; }
        tr.failed td { background: #fff1f0; }
        .meta { color: #555; } .empty { color: #777; font-style: italic; }
        code { background: #f3f3f3; padding: 0 .25em; border-radius: 3px; }
        pre { background: #f6f8fa; padding: .6em; overflow: auto; max-height: 24em; }
        svg.chart { display: block; max-width: 100%; height: auto; margin: .6em 0; }
        """;

    /// <summary>Writes the page to <paramref name="writer"/>.</summary>
    public static void Write(LoadReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);

        writer.WriteLine("<!DOCTYPE html>");
        writer.WriteLine("<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">");
        writer.WriteLine("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
        writer.WriteLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        writer.WriteLine($"<title>{E(report.Title)}</title>\n<style>\n{Style}\n</style>\n</head>\n<body>");
        writer.WriteLine($"<h1>{E(report.Title)}</h1>");
        writer.WriteLine(
            $"<p class=\"meta\">{E(ReportFormat.Timestamp(report.CreatedAt))} &middot; commit " +
            $"<code>{E(report.Commit ?? "unknown")}</code> &middot; {Verdict(report.Runs.Any(r => r.Thresholds.Count > 0) || report.Notes.Any(n => n.Met is not null), report.Passed)}</p>");

        WriteSummary(report, writer);
        WriteMachine(report.Machine, writer);
        if (report.Notes.Count > 0)
        {
            writer.WriteLine("<h2>Notes</h2>\n<ul>");
            foreach (var note in report.Notes)
            {
                var style = note.Met switch { true => " class=\"pass\"", false => " class=\"fail\"", null => string.Empty };
                writer.WriteLine($"<li{style}><strong>{E(note.Name)}:</strong> {E(note.Value)}</li>");
            }

            writer.WriteLine("</ul>");
        }

        writer.WriteLine("<h2>Latency distribution</h2>");
        WriteChart(writer, RunCharts.CombinedDistribution(report.Runs), "No run recorded a latency distribution.");

        for (var i = 0; i < report.Runs.Count; i++)
        {
            WriteRun(report.Runs[i], i, writer);
        }

        writer.WriteLine("</body>\n</html>");
    }

    /// <summary>Renders the page to a string.</summary>
    public static string Render(LoadReport report)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(report, writer);
        return writer.ToString();
    }

    private static void WriteSummary(LoadReport report, TextWriter writer)
    {
        writer.WriteLine("<h2>Summary</h2>");
        if (report.Runs.Count == 0)
        {
            writer.WriteLine("<p class=\"empty\">The report holds no runs.</p>");
            return;
        }

        var columns = SummaryTable.Columns;
        writer.WriteLine("<table>\n<tr>" + string.Concat(columns.Select(c => $"<th{Num(c.Numeric)}>{E(c.Header)}</th>")) + "</tr>");
        for (var i = 0; i < report.Runs.Count; i++)
        {
            var row = SummaryTable.Row(report.Runs[i]);
            var cells = row.Select((cell, c) => c switch
            {
                0 => $"<td><a href=\"#run-{i + 1}\">{E(cell)}</a></td>",
                SummaryTable.VerdictColumn => $"<td class=\"{VerdictClass(cell)}\">{E(cell)}</td>",
                _ => $"<td{Num(columns[c].Numeric)}>{E(cell)}</td>",
            });
            writer.WriteLine($"<tr>{string.Concat(cells)}</tr>");
        }

        writer.WriteLine("</table>");
    }

    private static void WriteMachine(MachineDescription machine, TextWriter writer)
    {
        writer.WriteLine("<h2>Machine</h2>\n<table>");
        (string Name, string Value)[] rows =
        [
            ("host", machine.Host),
            ("CPU", machine.Cpu),
            ("cores", machine.Cores.ToString(CultureInfo.InvariantCulture)),
            ("memory", ReportFormat.Bytes(machine.MemoryBytes)),
            ("OS", machine.Os),
            ("runtime", machine.Runtime),
            ("load average", machine.LoadAverage is { } load ? ReportFormat.Number(load) : "unknown"),
        ];
        foreach (var (name, value) in rows)
        {
            writer.WriteLine($"<tr><th>{E(name)}</th><td>{E(value)}</td></tr>");
        }

        writer.WriteLine("</table>");
    }

    private static void WriteRun(RunResult run, int index, TextWriter writer)
    {
        writer.WriteLine($"<section id=\"run-{index + 1}\">");
        writer.WriteLine($"<h2>{E(run.Scenario)} {Verdict(run.Thresholds.Count > 0, run.Passed)}</h2>");
        writer.WriteLine(
            $"<p class=\"meta\">{E(run.Transport)} to <code>{E(run.Target)}</code>, model <code>{E(run.Model)}</code>, " +
            $"batch {run.BatchSize}, {E(run.LoadModel)}; {E(ReportFormat.Seconds(run.DurationSeconds))} measured from " +
            $"{E(ReportFormat.Timestamp(run.StartedAt))}. Mean {E(ReportFormat.Milliseconds(run.Latency.Mean))} ms, " +
            $"min {E(ReportFormat.Milliseconds(run.Latency.Min))} ms." +
            (run.AchievedSendRate is { } sent
                ? $" Sent {E(ReportFormat.Rate(sent))} req/s" +
                  (run.TargetRate is { } target ? $" of {E(ReportFormat.Rate(target))} intended." : ".")
                : "") +
            "</p>");
        if (run.ErrorsByStatus.Count > 0)
        {
            writer.WriteLine("<p>Errors: " + string.Join(", ", run.ErrorsByStatus.OrderByDescending(e => e.Value)
                .Select(e => $"{E(e.Key)} <span class=\"num\">{E(ReportFormat.Count(e.Value))}</span>")) + "</p>");
        }

        if (run.Thresholds.Count > 0)
        {
            writer.WriteLine("<h3>Thresholds</h3>\n<table>\n<tr><th>threshold</th><th>actual</th><th>result</th></tr>");
            foreach (var t in run.Thresholds)
            {
                var verdict = t.Passed ? "PASS" : "FAIL";
                writer.WriteLine(
                    $"<tr{(t.Passed ? "" : " class=\"failed\"")}><td>{E(t.Threshold)}</td><td>{E(t.Actual)}</td>" +
                    $"<td class=\"{VerdictClass(verdict)}\">{verdict}</td></tr>");
            }

            writer.WriteLine("</table>");
        }

        if (run.Events.Count > 0)
        {
            WriteEvents(run.Events, writer);
        }

        writer.WriteLine("<h3>Over time</h3>");
        WriteChart(writer, RunCharts.LatencyOverTime(run), "No per-second samples were recorded.");
        WriteChart(writer, RunCharts.Throughput(run), null);
        writer.WriteLine("<h3>Distribution</h3>");
        WriteChart(writer, RunCharts.Distribution(run), "No latency distribution was recorded.");
        writer.WriteLine("</section>");
    }

    private static void WriteEvents(IReadOnlyList<ScenarioEvent> events, TextWriter writer)
    {
        writer.WriteLine("<h3>Actions</h3>\n<table>\n<tr><th>action</th><th class=\"num\">start s</th>" +
            "<th class=\"num\">end s</th><th class=\"num\">exit code</th><th>output</th></tr>");
        foreach (var e in events)
        {
            var output = string.IsNullOrWhiteSpace(e.Output)
                ? ""
                : $"<details><summary>{E(FirstLine(e.Output))}</summary><pre>{E(e.Output)}</pre></details>";
            writer.WriteLine(
                $"<tr{(e.ExitCode is null or 0 ? "" : " class=\"failed\"")}><td>{E(e.Label)}</td>" +
                $"<td class=\"num\">{E(ReportFormat.Number(e.StartSeconds, "0.0"))}</td>" +
                $"<td class=\"num\">{E(e.EndSeconds is { } end ? ReportFormat.Number(end, "0.0") : "-")}</td>" +
                $"<td class=\"num\">{E(e.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-")}</td><td>{output}</td></tr>");
        }

        writer.WriteLine("</table>");
    }

    private static void WriteChart(TextWriter writer, ChartSpec? chart, string? whenEmpty)
    {
        if (chart is not null)
        {
            writer.Write(SvgChart.Render(chart));
        }
        else if (whenEmpty is not null)
        {
            writer.WriteLine($"<p class=\"empty\">{E(whenEmpty)}</p>");
        }
    }

    private static string Verdict(bool hasThresholds, bool passed) => !hasThresholds
        ? "<span class=\"meta\">no thresholds</span>"
        : passed ? "<span class=\"pass\">PASS</span>" : "<span class=\"fail\">FAIL</span>";

    private static string VerdictClass(string verdict) => verdict switch
    {
        "PASS" => "pass",
        "FAIL" => "fail",
        _ => "meta",
    };

    private static string FirstLine(string text)
    {
        var line = text.TrimStart().ReplaceLineEndings("\n").Split('\n', 2)[0];
        return line.Length > 80 ? line[..80] + "..." : line;
    }

    private static string Num(bool numeric) => numeric ? " class=\"num\"" : "";

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
