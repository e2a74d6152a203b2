namespace MlOps.Serving.Hosting.Batching;

/// <summary>
/// How one model version's requests are merged into batches. Checked by <see cref="Validate"/>, which lists every
/// problem at once. See docs/serving-host.md for how the defaults were chosen.
/// </summary>
public sealed record DynamicBatcherOptions
{
    /// <summary>Most rows (samples) in one model execution; a single request with more rows is refused with
    /// INVALID_ARGUMENT. Default 64; 1 to 4096.</summary>
    public int MaxBatchSize { get; init; } = 64;

    /// <summary>
    /// How long the oldest queued request may wait for others to join its batch, counted from its arrival. Default
    /// 0: a batch leaves as soon as the executor is free and holds whatever queued meanwhile, so a lone request
    /// pays no delay and batches grow with load. A positive delay trades latency for larger batches at low load.
    /// At most 1 s.
    /// </summary>
    public TimeSpan MaxQueueDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Batch sizes that leave at once, without waiting out <see cref="MaxQueueDelay"/>, when the queued
    /// rows add up to exactly one of them. Empty by default; each between 1 and <see cref="MaxBatchSize"/>.</summary>
    public IReadOnlyList<int> PreferredBatchSizes { get; init; } = [];

    /// <summary>Requests that may wait in the queue; one more is refused with RESOURCE_EXHAUSTED (HTTP 429).
    /// Default 1024; at least 1.</summary>
    public int MaxQueueSize { get; init; } = 1024;

    /// <summary>Every problem with these options, each naming the property; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxBatchSize is < 1 or > 4096)
        {
            errors.Add($"{nameof(MaxBatchSize)} must be between 1 and 4096, got {MaxBatchSize}");
        }

        if (MaxQueueDelay < TimeSpan.Zero || MaxQueueDelay > TimeSpan.FromSeconds(1))
        {
            errors.Add($"{nameof(MaxQueueDelay)} must be between 0 and 1 s, got {MaxQueueDelay}");
        }

        foreach (var size in PreferredBatchSizes ?? [])
        {
            if (size < 1 || size > MaxBatchSize)
            {
                errors.Add($"{nameof(PreferredBatchSizes)} entries must be between 1 and {nameof(MaxBatchSize)} ({MaxBatchSize}), got {size}");
            }
        }

        if (PreferredBatchSizes is null)
        {
            errors.Add($"{nameof(PreferredBatchSizes)} is required (may be empty)");
        }

        if (MaxQueueSize < 1)
        {
            errors.Add($"{nameof(MaxQueueSize)} must be at least 1, got {MaxQueueSize}");
        }

        return errors;
    }
}
