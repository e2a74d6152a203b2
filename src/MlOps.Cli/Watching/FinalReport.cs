using MlOps.Cli.Output;
using MlOps.Contracts;

namespace MlOps.Cli.Watching;

/// <summary>
/// What <c>watch</c> prints when the job is over: <c>state: SUCCEEDED</c>, then on success
/// <c>test_accuracy: 0.xxxx</c> on its own line, the other final metrics, and the weights; on failure the reason.
/// Each line is <c>key: value</c> so a script can <c>grep '^test_accuracy:'</c>.
/// </summary>
internal static class FinalReport
{
    public const string TestAccuracy = "test_accuracy";

    public static void Write(TextWriter output, Job job)
    {
        output.WriteLine($"state: {Display.State(job.State)}");
        if (!string.IsNullOrEmpty(job.FailureReason))
        {
            output.WriteLine($"reason: {job.FailureReason}");
        }

        if (job.State != JobState.Succeeded || job.Result is not { } result)
        {
            return;
        }

        foreach (var (name, value) in OrderedMetrics(result.Metrics))
        {
            output.WriteLine($"{name}: {Display.Metric(name, value)}");
        }

        output.WriteLine($"train_seconds: {Display.Number(result.TrainSeconds)}");
        WriteIfSet(output, "weights_sha256", result.WeightsSha256);
        WriteIfSet(output, "weights_uri", result.WeightsUri);
        WriteIfSet(output, "dataset_digest", string.IsNullOrEmpty(result.DatasetDigest) ? job.DatasetDigest : result.DatasetDigest);
    }

    /// <summary>test_accuracy first (the number people look for), then the rest by name.</summary>
    public static IEnumerable<(string Name, double Value)> OrderedMetrics(IEnumerable<KeyValuePair<string, double>> metrics) =>
        metrics.OrderBy(m => m.Key == TestAccuracy ? 0 : 1).ThenBy(m => m.Key, StringComparer.Ordinal).Select(m => (m.Key, m.Value));

    private static void WriteIfSet(TextWriter output, string key, string value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            output.WriteLine($"{key}: {value}");
        }
    }
}
