using MlOps.Cli.Watching;
using MlOps.Contracts;

namespace MlOps.Cli.Reproducing;

/// <summary>What one comparison found.</summary>
internal enum CheckOutcome
{
    Match,
    Differ,

    /// <summary>A timing metric: it never repeats exactly, so it does not count.</summary>
    Ignored,
}

/// <summary>One compared value: a digest (text) or a metric (number); null where that side has none.</summary>
internal sealed record CheckRow(string Name, string? RecordedText, string? ReproducedText, double? Recorded, double? Reproduced, CheckOutcome Outcome);

/// <summary>
/// Compares a reproduction with the recorded version: dataset digest, ONNX digest and every metric, by exact
/// equality (a deterministic run repeats every bit). Timing metrics (<see cref="IsTiming"/>) are listed but ignored.
/// A metric that only one side has differs.
/// </summary>
internal static class ReproductionCheck
{
    /// <summary>Wall-clock measurements (<see cref="Core.Jobs.MetricNames.IsTiming"/>).</summary>
    public static bool IsTiming(string metric) => Core.Jobs.MetricNames.IsTiming(metric);

    public static IReadOnlyList<CheckRow> Compare(
        string recordedDatasetDigest, string reproducedDatasetDigest,
        string recordedOnnxDigest, string reproducedOnnxDigest,
        IReadOnlyDictionary<string, double> recordedMetrics, IReadOnlyDictionary<string, double> reproducedMetrics)
    {
        var rows = new List<CheckRow>
        {
            Text("dataset_digest", recordedDatasetDigest, reproducedDatasetDigest),
            Text("onnx_digest", recordedOnnxDigest, reproducedOnnxDigest),
        };
        var names = recordedMetrics.Keys.Union(reproducedMetrics.Keys, StringComparer.Ordinal)
            .Select(name => KeyValuePair.Create(name, 0.0));
        foreach (var (name, _) in FinalReport.OrderedMetrics(names))
        {
            double? recorded = recordedMetrics.TryGetValue(name, out var r) ? r : null;
            double? reproduced = reproducedMetrics.TryGetValue(name, out var p) ? p : null;
            var outcome = IsTiming(name) ? CheckOutcome.Ignored
                : recorded is { } a && reproduced is { } b && a.Equals(b) ? CheckOutcome.Match
                : CheckOutcome.Differ;
            rows.Add(new CheckRow(name, null, null, recorded, reproduced, outcome));
        }

        return rows;
    }

    /// <summary>True when nothing that counts differs.</summary>
    public static bool Matches(IEnumerable<CheckRow> rows) => rows.All(r => r.Outcome != CheckOutcome.Differ);

    /// <summary>The metrics of a finished reproduction job, or none when it produced no result.</summary>
    public static IReadOnlyDictionary<string, double> MetricsOf(Job job) =>
        job.Result?.Metrics ?? (IReadOnlyDictionary<string, double>)new Dictionary<string, double>();

    private static CheckRow Text(string name, string recorded, string reproduced) =>
        new(name, NullIfEmpty(recorded), NullIfEmpty(reproduced), null, null,
            recorded.Length > 0 && recorded == reproduced ? CheckOutcome.Match : CheckOutcome.Differ);

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
