namespace MlOps.Serving.Models;

/// <summary>Counters of one version, as Triton's ModelStatistics reports them (durations in nanoseconds).</summary>
public sealed record ModelStatisticsSnapshot(
    long InferenceCount, long ExecutionCount, long SuccessCount, long FailureCount,
    long QueueNanoseconds, long ComputeNanoseconds, long LastInferenceUnixMilliseconds);

/// <summary>A model version that can serve requests.</summary>
public interface IServedModel
{
    ModelDescriptor Descriptor { get; }

    /// <summary>True once the artifact is verified, the session created and a warm-up inference has run.</summary>
    bool IsReady { get; }

    /// <summary>Validates the request against <see cref="Descriptor"/> (throwing <see cref="InferenceException"/> with
    /// <see cref="InferenceErrorKind.InvalidArgument"/> naming the problem) and runs it, batched with others.</summary>
    ValueTask<InferenceResponse> InferAsync(InferenceRequest request, CancellationToken cancellationToken);

    ModelStatisticsSnapshot Statistics { get; }

    /// <summary>The predictions of requests that carried an id, for ground-truth feedback; null for a model that keeps
    /// none.</summary>
    Feedback.PredictionLog? Predictions => null;

    /// <summary>Latency and batch-size distributions for <c>/metrics</c>; <see cref="InferenceMetricsSnapshot.Empty"/>
    /// for a model that keeps none.</summary>
    InferenceMetricsSnapshot Metrics { get; }

    /// <summary>Where the version runs (<c>CPU</c> or <c>CUDA</c>, the ONNX Runtime execution provider its session got
    /// after any fallback), for <c>/metrics</c>; null for a model that runs on no execution provider.</summary>
    string? ExecutionProvider => null;
}

/// <summary>The state of one version in the repository index.</summary>
public sealed record ModelIndexEntry(string Name, string Version, string State, string Reason);

/// <summary>
/// The models a serving process holds: several versions of several models side by side. The protocol layers
/// (gRPC and REST) only talk to this.
/// </summary>
public interface IModelRepository
{
    /// <summary>Every version known to the repository, loaded or not, with its state (READY, LOADING, UNAVAILABLE).</summary>
    IReadOnlyList<ModelIndexEntry> Index();

    /// <summary>A version by name and version; a null or empty version means the version the model's traffic split
    /// picks for this request (the newest ready one when there is no split).</summary>
    bool TryGet(string name, string? version, out IServedModel model);

    /// <summary>
    /// The version that answers metadata, config and readiness when the caller names no version: with a traffic
    /// split, the ready routed version with the largest share (the stable one, not a canary), so these lookups
    /// neither use up a slot of the split nor describe the candidate. Default: <see cref="TryGet"/>.
    /// </summary>
    bool TryGetPrimary(string name, out IServedModel model) => TryGet(name, null, out model);

    /// <summary>Loads (or reloads) a model the repository knows how to find; errors name the model.</summary>
    Task LoadAsync(string name, CancellationToken cancellationToken);

    Task UnloadAsync(string name, CancellationToken cancellationToken);
}
