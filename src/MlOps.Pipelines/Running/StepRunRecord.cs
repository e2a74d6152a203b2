using MlOps.Pipelines.Specs;

namespace MlOps.Pipelines.Running;

/// <summary>Where a step of a run is.</summary>
public enum StepRunState
{
    /// <summary>Waiting for its dependencies or a free slot.</summary>
    Pending,

    /// <summary>The executor is running it.</summary>
    Running,

    /// <summary>Ran and produced its outputs.</summary>
    Succeeded,

    /// <summary>Not run: outputs reused from an earlier run with the same cache key.</summary>
    Cached,

    /// <summary>Ran (or tried to resolve its inputs) and failed; <see cref="StepRunRecord.Error"/> says why.</summary>
    Failed,

    /// <summary>Never started; <see cref="StepRunRecord.Reason"/> says why (an upstream failure, a cancelled run).</summary>
    Skipped,

    /// <summary>Started, then stopped because the run was cancelled.</summary>
    Cancelled,
}

/// <summary>Where a run is.</summary>
public enum PipelineRunState
{
    Running,
    Succeeded,
    Failed,
    Cancelled,
}

/// <summary>One step of a run, as the coordinator persists and <c>mlops pipeline show</c> prints it.</summary>
public sealed record StepRunRecord
{
    public required string Name { get; init; }

    public required StepKind Kind { get; init; }

    public StepRunState State { get; init; } = StepRunState.Pending;

    /// <summary>Set once the inputs are resolved (before the cache lookup).</summary>
    public string? CacheKey { get; init; }

    /// <summary>The artifacts the step consumed, by input name; set with the cache key.</summary>
    public IReadOnlyDictionary<string, ResolvedArtifact> Inputs { get; init; } = Empty;

    /// <summary>By output name; set when <see cref="StepRunState.Succeeded"/> or <see cref="StepRunState.Cached"/>.</summary>
    public IReadOnlyDictionary<string, ResolvedArtifact> Outputs { get; init; } = Empty;

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Why the step failed or was cancelled.</summary>
    public string? Error { get; init; }

    /// <summary>Why a skipped step did not run.</summary>
    public string? Reason { get; init; }

    /// <summary>Something that went wrong without failing the step (its outputs could not be cached).</summary>
    public string? Warning { get; init; }

    public bool IsFinished => State is not (StepRunState.Pending or StepRunState.Running);

    /// <summary>True when its outputs can feed later steps.</summary>
    public bool HasOutputs => State is StepRunState.Succeeded or StepRunState.Cached;

    private static readonly IReadOnlyDictionary<string, ResolvedArtifact> Empty = new Dictionary<string, ResolvedArtifact>();
}

/// <summary>A pipeline run: a snapshot, replaced (never changed) on every change. <see cref="Sequence"/> grows
/// by one with each snapshot, so a store can ignore an older one that arrives late.</summary>
public sealed record PipelineRunRecord
{
    public required string RunId { get; init; }

    public required string PipelineName { get; init; }

    /// <summary>The parameter values the run uses.</summary>
    public required IReadOnlyDictionary<string, string> Parameters { get; init; }

    public PipelineRunState State { get; init; } = PipelineRunState.Running;

    /// <summary>In plan (execution) order.</summary>
    public required IReadOnlyList<StepRunRecord> Steps { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>Why the run failed or stopped: the first failed step and its error.</summary>
    public string? Error { get; init; }

    public long Sequence { get; init; }

    public StepRunRecord this[string step] =>
        Steps.FirstOrDefault(s => s.Name == step) ?? throw new KeyNotFoundException($"run {RunId} has no step '{step}'");
}
