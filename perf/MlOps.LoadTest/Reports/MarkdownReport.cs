using System.Text;
using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Reports;

/// <summary>
/// Renders a <see cref="LoadReport"/> as a markdown section meant to be pasted into <c>perf/RESULTS.md</c>: the
/// machine and commit it was measured on, the run summary, the notes, and each run's thresholds and actions.
/// </summary>
public static class MarkdownReport
{
    // Output of an action (kubectl, a rollout script) can be long; the HTML report keeps all of it.
    private const int MaxOutputLines = 40;

    /// <summary>
    /// Writes the report. <paramref name="headingLevel"/> is the level of the title (1 = <c>#</c>); sections are one
    /// level below, so a report pasted under a <c>#</c> heading can start at 2.
    /// </summary>
    public static void Write(LoadReport report, TextWriter writer, int headingLevel = 1)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentOutOfRangeException.ThrowIfLessThan(headingLevel, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(headingLevel, 4);

        var h1 = new string('#', headingLevel);
        var h2 = h1 + "#";
        var h3 = h2 + "#";

        writer.WriteLine($"{h1} {Escape(report.Title)}");
        writer.WriteLine();
        writer.WriteLine($"- **Date:** {ReportFormat.Timestamp(report.CreatedAt)}");
        writer.WriteLine($"- **Commit:** {(report.Commit is null ? "unknown" : Code(report.Commit))}");
        writer.WriteLine($"- **Result:** {(report.Passed ? "PASS" : "FAIL")}");
        writer.WriteLine();
        WriteMachine(report.Machine, writer, h2);

        writer.WriteLine($"{h2} Summary");
        writer.WriteLine();
        WriteTable(
            writer,
            [.. SummaryTable.Columns.Select(c => c.Header)],
            [.. SummaryTable.Columns.Select(c => c.Numeric)],
            [.. report.Runs.Select(SummaryTable.Row)]);

        if (report.Notes.Count > 0)
        {
            writer.WriteLine($"{h2} Notes");
            writer.WriteLine();
            foreach (var note in report.Notes)
            {
                writer.WriteLine($"- **{Escape(note.Name)}:** {Escape(note.Value)}");
            }

            writer.WriteLine();
        }

        foreach (var run in report.Runs)
        {
            WriteRun(run, writer, h2, h3);
        }
    }

    /// <summary>Renders the report to a string.</summary>
    public static string Render(LoadReport report, int headingLevel = 1)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        Write(report, writer, headingLevel);
        return writer.ToString();
    }

    private static void WriteMachine(MachineDescription machine, TextWriter writer, string heading)
    {
        writer.WriteLine($"{heading} Machine");
        writer.WriteLine();
        writer.WriteLine($"- **Host:** {Escape(machine.Host)}");
        writer.WriteLine($"- **CPU:** {Escape(machine.Cpu)}, {machine.Cores} cores");
        writer.WriteLine($"- **Memory:** {ReportFormat.Bytes(machine.MemoryBytes)}");
        writer.WriteLine($"- **OS:** {Escape(machine.Os)}");
        writer.WriteLine($"- **Runtime:** {Escape(machine.Runtime)}");
        writer.WriteLine($"- **Load average:** {(machine.LoadAverage is { } load ? ReportFormat.Number(load) : "unknown")}");
        writer.WriteLine();
    }

    private static void WriteRun(RunResult run, TextWriter writer, string h2, string h3)
    {
        writer.WriteLine($"{h2} {Escape(run.Scenario)}");
        writer.WriteLine();
        writer.WriteLine(
            $"{Escape(run.Transport)} to {Code(run.Target)}, model {Code(run.Model)}, batch {run.BatchSize}, " +
            $"{Escape(run.LoadModel)}, {ReportFormat.Seconds(run.DurationSeconds)} from {ReportFormat.Timestamp(run.StartedAt)}.");
        if (run.AchievedSendRate is { } sent)
        {
            writer.WriteLine($"Sent {ReportFormat.Rate(sent)} req/s" +
                (run.TargetRate is { } target ? $" of {ReportFormat.Rate(target)} intended." : "."));
        }

        writer.WriteLine();
        if (run.ErrorsByStatus.Count > 0)
        {
            writer.WriteLine("Errors: " + string.Join(", ",
                run.ErrorsByStatus.OrderByDescending(e => e.Value).Select(e => $"{Escape(e.Key)} {ReportFormat.Count(e.Value)}")));
            writer.WriteLine();
        }

        if (run.Thresholds.Count > 0)
        {
            writer.WriteLine($"{h3} Thresholds");
            writer.WriteLine();
            WriteTable(writer, ["threshold", "actual", "result"], [false, false, false],
                [.. run.Thresholds.Select(t => (IReadOnlyList<string>)[t.Threshold, t.Actual, t.Passed ? "PASS" : "FAIL"])]);
        }

        if (run.Events.Count > 0)
        {
            writer.WriteLine($"{h3} Actions");
            writer.WriteLine();
            WriteTable(writer, ["action", "start s", "end s", "exit code"], [false, true, true, true],
                [.. run.Events.Select(e => (IReadOnlyList<string>)[
                    e.Label,
                    ReportFormat.Number(e.StartSeconds, "0.0"),
                    e.EndSeconds is { } end ? ReportFormat.Number(end, "0.0") : "-",
                    e.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"])]);
            foreach (var e in run.Events.Where(e => !string.IsNullOrWhiteSpace(e.Output)))
            {
                writer.WriteLine($"Output of {Escape(e.Label)}:");
                writer.WriteLine();
                WriteCodeBlock(writer, e.Output!);
            }
        }
    }

    private static void WriteTable(
        TextWriter writer, IReadOnlyList<string> headers, IReadOnlyList<bool> rightAligned, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        writer.WriteLine("| " + string.Join(" | ", headers.Select(Escape)) + " |");
        writer.WriteLine("|" + string.Join("|", rightAligned.Select(r => r ? "---:" : ":---")) + "|");
        foreach (var row in rows)
        {
            writer.WriteLine("| " + string.Join(" | ", row.Select(Escape)) + " |");
        }

        writer.WriteLine();
    }

    private static void WriteCodeBlock(TextWriter writer, string text)
    {
        var lines = text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        var shown = lines.Length > MaxOutputLines ? lines[^MaxOutputLines..] : lines;

        // A fence longer than any backtick run in the text, so the output cannot close it early.
        var fence = new string('`', Math.Max(3, LongestRun(text, '`') + 1));
        writer.WriteLine(fence);
        if (shown.Length < lines.Length)
        {
            writer.WriteLine($"... ({lines.Length - shown.Length} earlier lines left out)");
        }

        foreach (var line in shown)
        {
            writer.WriteLine(line);
        }

        writer.WriteLine(fence);
        writer.WriteLine();
    }

    private static int LongestRun(string text, char c)
    {
        int longest = 0, current = 0;
        foreach (var ch in text)
        {
            current = ch == c ? current + 1 : 0;
            longest = Math.Max(longest, current);
        }

        return longest;
    }

    /// <summary>Inline code, with a delimiter the text cannot close (CommonMark's rule for backticks inside).</summary>
    private static string Code(string text)
    {
        var ticks = new string('`', LongestRun(text, '`') + 1);
        var pad = text.StartsWith('`') || text.EndsWith('`') ? " " : "";
        return $"{ticks}{pad}{text.ReplaceLineEndings(" ")}{pad}{ticks}";
    }

    /// <summary>
    /// Escapes what would change the meaning of text from the data: table pipes, raw HTML, emphasis and entities.
    /// Newlines become spaces, since a table row or a list item is one line.
    /// </summary>
    internal static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text.ReplaceLineEndings(" "))
        {
            if (c is '\\' or '|' or '<' or '>' or '&' or '*' or '`' or '[' or ']')
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
