using System.Text.Json;
using MlOps.LoadTest.Results;

namespace MlOps.LoadTest.Reports;

/// <summary>
/// Reads and writes a <see cref="LoadReport"/> as JSON (camelCase, indented, enums as strings), the form later runs
/// and tools compare against. Computed properties (<c>passed</c>, <c>errorRate</c>, <c>samplesPerSecond</c>) are
/// written for readers such as <c>jq</c> and ignored when read back, since they follow from the stored fields.
/// </summary>
public static class JsonReport
{
    /// <summary>Writes <paramref name="report"/> to <paramref name="stream"/>, leaving the stream open.</summary>
    public static void Write(LoadReport report, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(stream);
        JsonSerializer.Serialize(stream, report, ReportJsonContext.Default.LoadReport);
    }

    /// <summary>Writes <paramref name="report"/> to the file at <paramref name="path"/>, replacing it.</summary>
    public static void Write(LoadReport report, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.Create(path);
        Write(report, stream);
    }

    /// <summary>The report as a JSON string.</summary>
    public static string Serialize(LoadReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonSerializer.Serialize(report, ReportJsonContext.Default.LoadReport);
    }

    /// <summary>Reads a report written by <see cref="Write(LoadReport, Stream)"/>.</summary>
    /// <exception cref="InvalidDataException">The stream holds JSON that is not a report (or <c>null</c>).</exception>
    public static LoadReport Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            return JsonSerializer.Deserialize(stream, ReportJsonContext.Default.LoadReport)
                ?? throw new InvalidDataException("The JSON holds null, not a load report.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"Not a load report: {e.Message}", e);
        }
    }

    /// <summary>Reads the report in the file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file holds JSON that is not a report.</exception>
    public static LoadReport Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = File.OpenRead(path);
        return Read(stream);
    }
}
