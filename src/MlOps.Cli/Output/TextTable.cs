using Spectre.Console;

namespace MlOps.Cli.Output;

/// <summary>
/// Rows for people. On a terminal it is a Spectre table with coloured states; otherwise plain columns
/// separated by two spaces with an upper-case header line, which <c>awk</c>, <c>grep</c> and <c>cut</c> handle.
/// </summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    public void AddRow(params string[] cells)
    {
        if (cells.Length != headers.Length)
        {
            throw new ArgumentException($"a row needs {headers.Length} cells, got {cells.Length}", nameof(cells));
        }

        _rows.Add(cells);
    }

    public void Write(TextWriter writer, bool terminal)
    {
        if (terminal)
        {
            var table = new Table().Border(TableBorder.Rounded);
            foreach (var header in headers)
            {
                table.AddColumn(new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))));
            }

            foreach (var row in _rows)
            {
                table.AddRow(row.Select(cell => (Spectre.Console.Rendering.IRenderable)new Text(cell, Display.StyleOf(cell))));
            }

            Consoles.Create(writer, terminal: true).Write(table);
            return;
        }

        var widths = headers.Select((h, i) => _rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        WriteLine(writer, headers.Select(h => h.ToUpperInvariant()).ToArray(), widths);
        foreach (var row in _rows)
        {
            WriteLine(writer, row, widths);
        }
    }

    private static void WriteLine(TextWriter writer, string[] cells, int[] widths)
    {
        var padded = cells.Select((cell, i) => i == cells.Length - 1 ? cell : cell.PadRight(widths[i]));
        writer.WriteLine(string.Join("  ", padded).TrimEnd());
    }
}
