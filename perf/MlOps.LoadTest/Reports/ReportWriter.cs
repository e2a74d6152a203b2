using System.Text;
using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Reports;

/// <summary>The files <see cref="ReportWriter.WriteAll"/> wrote.</summary>
public sealed record ReportFiles(string Json, string Markdown, string Html)
{
    /// <summary>All three paths, JSON first.</summary>
    public IReadOnlyList<string> All => [Json, Markdown, Html];
}

/// <summary>Writes a report in every file format at once: JSON to compare against, markdown to paste, HTML to look at.</summary>
public static class ReportWriter
{
    // UTF-8 without a byte order mark: markdown and HTML tools treat a BOM as content.
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>
    /// Writes <c>&lt;baseName&gt;.json</c>, <c>.md</c> and <c>.html</c> into <paramref name="directory"/>, creating it,
    /// and replacing files of those names.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="baseName"/> is empty or is a path rather than a name.</exception>
    public static ReportFiles WriteAll(LoadReport report, string directory, string baseName)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(baseName);
        if (baseName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || baseName.Contains('/') || baseName.Contains('\\'))
        {
            throw new ArgumentException($"'{baseName}' is not a file name.", nameof(baseName));
        }

        Directory.CreateDirectory(directory);
        var files = new ReportFiles(
            Path.Combine(directory, baseName + ".json"),
            Path.Combine(directory, baseName + ".md"),
            Path.Combine(directory, baseName + ".html"));

        JsonReport.Write(report, files.Json);
        using (var markdown = new StreamWriter(files.Markdown, append: false, Utf8))
        {
            MarkdownReport.Write(report, markdown);
        }

        using (var html = new StreamWriter(files.Html, append: false, Utf8))
        {
            HtmlReport.Write(report, html);
        }

        return files;
    }
}
