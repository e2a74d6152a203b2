namespace MlOps.Core.Jobs;

/// <summary>Which training metrics describe the machine rather than the model.</summary>
public static class MetricNames
{
    private static readonly HashSet<string> Timing = new(StringComparer.Ordinal)
    {
        "seconds_per_epoch", "samples_per_second", "epoch_seconds", "train_seconds",
    };

    /// <summary>
    /// Wall-clock measurements (the trainer's timing metrics and any name ending in <c>_seconds</c> or
    /// <c>_per_second</c>): they differ between identical runs, so model artifacts leave them out and
    /// <c>mlops reproduce</c> ignores them.
    /// </summary>
    public static bool IsTiming(string metric) =>
        Timing.Contains(metric) || metric.EndsWith("_seconds", StringComparison.Ordinal) || metric.EndsWith("_per_second", StringComparison.Ordinal);
}
