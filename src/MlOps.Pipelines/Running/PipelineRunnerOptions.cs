namespace MlOps.Pipelines.Running;

/// <summary>How <see cref="PipelineRunner"/> runs a plan.</summary>
public sealed record PipelineRunnerOptions
{
    public const int MaxParallelismLimit = 256;

    /// <summary>Most steps in flight at once (resolving inputs, looking up the cache or running). Default 4; 1 to
    /// <see cref="MaxParallelismLimit"/>. 1 runs the steps one by one in plan order.</summary>
    public int MaxParallelism { get; init; } = 4;

    /// <summary>False: look nothing up, run every step (results are still stored, refreshing the cache).
    /// Default true. Steps with <c>cache: false</c> never use the cache either way.</summary>
    public bool UseCache { get; init; } = true;

    /// <summary>True (default): once a step fails, no new step starts (steps already running finish). False:
    /// steps that do not depend on the failed one keep going. Either way the run ends failed.</summary>
    public bool FailFast { get; init; } = true;

    /// <summary>Every problem with these options; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate() =>
        MaxParallelism is < 1 or > MaxParallelismLimit
            ? [$"MaxParallelism must be from 1 to {MaxParallelismLimit}, got {MaxParallelism}"]
            : [];
}
