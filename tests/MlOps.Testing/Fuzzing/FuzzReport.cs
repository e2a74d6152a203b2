using System.Globalization;
using System.Text;

namespace MlOps.Testing.Fuzzing;

/// <summary>One distinct failure: its kind (<c>crash</c>, <c>hang</c>, <c>allocation</c>), what groups it (exception
/// type and product frame), the first message, a shrunk input that reproduces it and how many inputs showed it.</summary>
public sealed record FuzzFailure(string Kind, string Signature, string Message, byte[] Reproducer, long Count)
{
    /// <summary>The reproducer as a C# string literal when it is text, else as base64.</summary>
    public string ReproducerText => IsText(Reproducer)
        ? "\"" + Encoding.UTF8.GetString(Reproducer).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
            .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal) + "\""
        : "base64:" + Convert.ToBase64String(Reproducer);

    private static bool IsText(byte[] bytes) =>
        bytes.Length <= 4096 && System.Text.Unicode.Utf8.IsValid(bytes) && bytes.All(b => b >= 0x20 || b is (byte)'\n' or (byte)'\r' or (byte)'\t');
}

/// <summary>What one <see cref="FuzzRun"/> did: inputs tried, time, seed, corpus, distinct outcomes and failures.</summary>
public sealed record FuzzReport(string Target, long Inputs, TimeSpan Elapsed, int Seed, int CorpusSize, int DistinctOutcomes,
    IReadOnlyList<FuzzFailure> Failures)
{
    public bool Passed => Failures.Count == 0;

    public double InputsPerSecond => Elapsed.TotalSeconds > 0 ? Inputs / Elapsed.TotalSeconds : 0;

    /// <summary>One line: target, inputs, time, rate, corpus, outcomes, seed and result.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"fuzz {Target}: {Inputs:N0} inputs in {Elapsed.TotalSeconds:0.0} s ({InputsPerSecond:N0}/s), corpus {CorpusSize}, " +
        $"{DistinctOutcomes} distinct outcomes, seed {Seed}: {(Passed ? "no failures" : $"{Failures.Count} distinct failures")}");

    /// <summary>The summary and every failure with its reproducer; what a failing test prints.</summary>
    public string Describe()
    {
        var text = new StringBuilder(Summary);
        foreach (var failure in Failures)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"- {failure.Kind} ×{failure.Count}: {failure.Signature}")
                .AppendLine().Append(CultureInfo.InvariantCulture, $"  {failure.Message}")
                .AppendLine().Append(CultureInfo.InvariantCulture, $"  reproducer ({failure.Reproducer.Length} bytes): {Truncate(failure.ReproducerText, 2000)}");
        }

        if (!Passed)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"replay with MLOPS_FUZZ_SEED={Seed}");
        }

        return text.ToString();
    }

    /// <summary>Appends a Markdown table row (date, target, inputs, seconds, rate, outcomes, result) to <paramref name="path"/>.</summary>
    public void AppendTo(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return;
        }

        var result = Passed ? "no crash" : string.Join("; ", Failures.Select(f => $"{f.Kind}: {f.Signature}"));
        File.AppendAllText(path, string.Create(CultureInfo.InvariantCulture,
            $"| {DateTime.UtcNow:yyyy-MM-dd HH:mm} | {Target} | {Inputs:N0} | {Elapsed.TotalSeconds:0.0} | {InputsPerSecond:N0} | {DistinctOutcomes} | {result} |{Environment.NewLine}"));
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + "…";
}
