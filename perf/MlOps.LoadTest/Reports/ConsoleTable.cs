using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Reports;

/// <summary>
/// Renders a <see cref="LoadReport"/> as plain text for a terminal: the run summary as an aligned table, then the
/// report's notes, then every threshold that failed.
/// </summary>
public static class ConsoleTable
{
    private const string Gap = "  ";

    /// <summary>Writes the report to <paramref name="writer"/>.</summary>
    public static void Write(LoadReport report, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(writer);

        writer.WriteLine(report.Title);
        writer.WriteLine();
        var columns = SummaryTable.Columns;
        WriteTable(
            writer,
            [.. columns.Select(c => c.Header)],
            [.. columns.Select(c => c.Numeric)],
            [.. report.Runs.Select(SummaryTable.Row)]);

        if (report.Notes.Count > 0)
        {
            writer.WriteLine();
            var width = report.Notes.Max(n => n.Name.Length);
            foreach (var note in report.Notes)
            {
                writer.WriteLine($"{note.Name.PadRight(width)}{Gap}{note.Value}");
            }
        }

        var failures = SummaryTable.Failures(report).ToList();
        if (failures.Count > 0)
        {
            writer.WriteLine();
            writer.WriteLine("Failed thresholds:");
            WriteTable(
                writer,
                ["result", "scenario", "threshold", "actual"],
                [false, false, false, false],
                [.. failures.Select(f => (IReadOnlyList<string>)["FAIL", f.Run.Scenario, f.Outcome.Threshold, f.Outcome.Actual])]);
        }
    }

    /// <summary>Renders the report to a string, for logs and tests.</summary>
    public static string Render(LoadReport report)
    {
        using var writer = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        Write(report, writer);
        return writer.ToString();
    }

    private static void WriteTable(
        TextWriter writer, IReadOnlyList<string> headers, IReadOnlyList<bool> rightAligned, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        var widths = headers.Select((h, i) => rows.Select(r => Flatten(r[i]).Length).Prepend(h.Length).Max()).ToArray();
        WriteRow(writer, headers, widths, rightAligned);
        writer.WriteLine(string.Join(Gap, widths.Select(w => new string('-', w))));
        foreach (var row in rows)
        {
            WriteRow(writer, row, widths, rightAligned);
        }
    }

    private static void WriteRow(TextWriter writer, IReadOnlyList<string> cells, int[] widths, IReadOnlyList<bool> rightAligned)
    {
        var padded = cells.Select((cell, i) =>
        {
            var text = Flatten(cell);
            return rightAligned[i] ? text.PadLeft(widths[i]) : text.PadRight(widths[i]);
        });
        writer.WriteLine(string.Join(Gap, padded).TrimEnd());
    }

    // A newline inside a cell (a threshold's actual value from a tool's output, say) would break the alignment.
    private static string Flatten(string text) => text.ReplaceLineEndings(" ");
}
