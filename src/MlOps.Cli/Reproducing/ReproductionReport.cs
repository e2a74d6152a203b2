using System.Globalization;
using System.Text.Json;
using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Reproducing;

/// <summary>The outcome of <c>mlops reproduce</c>: which version was re-run, by which job, and every check.</summary>
internal sealed record ReproductionReport(ModelVersion Recorded, Job Job, int ReproducedVersion, IReadOnlyList<CheckRow> Checks)
{
    public bool Matches => ReproductionCheck.Matches(Checks);

    /// <summary>A table of the checks (values exact, digests shortened) and a verdict line.</summary>
    public void WriteTable(TextWriter output, bool terminal)
    {
        var table = new TextTable("check", "recorded", "reproduced", "result");
        foreach (var row in Checks)
        {
            table.AddRow(row.Name, Cell(row.RecordedText, row.Recorded), Cell(row.ReproducedText, row.Reproduced), Outcome(row.Outcome));
        }

        table.Write(output, terminal);
        var reproduced = ReproducedVersion > 0 ? $"{Recorded.Model}:{Display.Integer(ReproducedVersion)} (job {Job.Id})" : $"job {Job.Id}";
        var differing = Checks.Count(c => c.Outcome == CheckOutcome.Differ);
        var counted = Checks.Count(c => c.Outcome != CheckOutcome.Ignored);
        output.WriteLine(Matches
            ? $"MATCH: {reproduced} reproduces {Models.ModelText.Reference(Recorded)}"
            : $"DIFFER: {reproduced} differs from {Models.ModelText.Reference(Recorded)} in {Display.Integer(differing)} of {Display.Integer(counted)} checks");
    }

    /// <summary>
    /// One JSON object: <c>model</c>, <c>version</c>, <c>jobId</c>, <c>originalJobId</c>, <c>jobState</c>,
    /// <c>reproducedVersion</c>, <c>match</c> and <c>checks</c> (<c>name</c>, <c>recorded</c>, <c>reproduced</c>:
    /// string, number or null; <c>result</c>: MATCH, DIFFER or IGNORED).
    /// </summary>
    public string ToJson(bool indented)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            writer.WriteStartObject();
            writer.WriteString("model", Recorded.Model);
            writer.WriteNumber("version", Recorded.Version);
            writer.WriteString("jobId", Job.Id);
            writer.WriteString("originalJobId", Recorded.Lineage?.JobId ?? "");
            writer.WriteString("jobState", JobStateName(Job.State));
            writer.WriteNumber("reproducedVersion", ReproducedVersion);
            writer.WriteBoolean("match", Matches);
            writer.WriteStartArray("checks");
            foreach (var row in Checks)
            {
                writer.WriteStartObject();
                writer.WriteString("name", row.Name);
                WriteValue(writer, "recorded", row.RecordedText, row.Recorded);
                WriteValue(writer, "reproduced", row.ReproducedText, row.Reproduced);
                writer.WriteString("result", Outcome(row.Outcome));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static string Outcome(CheckOutcome outcome) => outcome switch
    {
        CheckOutcome.Match => "MATCH",
        CheckOutcome.Differ => "DIFFER",
        _ => "IGNORED",
    };

    /// <summary>The enum's proto name (<c>JOB_STATE_SUCCEEDED</c>), as protobuf JSON writes it elsewhere.</summary>
    private static string JobStateName(JobState state) => "JOB_STATE_" + Display.State(state);

    /// <summary>Digests shortened; numbers in full (round-trip), since equality is exact.</summary>
    private static string Cell(string? text, double? number) =>
        text is not null ? Display.ShortDigest(text)
        : number is { } value ? value.ToString(CultureInfo.InvariantCulture)
        : Display.None;

    private static void WriteValue(Utf8JsonWriter writer, string name, string? text, double? number)
    {
        if (text is not null)
        {
            writer.WriteString(name, text);
        }
        else if (number is { } value && double.IsFinite(value))
        {
            writer.WriteNumber(name, value);
        }
        else if (number is { } special)
        {
            writer.WriteString(name, special.ToString(CultureInfo.InvariantCulture));
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
