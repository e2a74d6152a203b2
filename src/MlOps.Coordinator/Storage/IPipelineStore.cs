using MlOps.Contracts;

namespace MlOps.Coordinator.Storage;

/// <summary>
/// Pipeline runs and the step cache (docs/pipelines.md), each stored as a contract message. A run is rewritten whole
/// at every change. A cache entry maps a step cache key to the outputs the step produced for it, kept as a
/// <see cref="PipelineStepRun"/> holding only <c>cache_key</c> and <c>outputs</c>; entries are shared by every run.
/// </summary>
public interface IPipelineStore
{
    /// <summary>Creates or replaces the run with <c>run.id</c>.</summary>
    Task PutPipelineRunAsync(PipelineRun run, CancellationToken cancellationToken);

    Task<PipelineRun?> GetPipelineRunAsync(string id, CancellationToken cancellationToken);

    /// <summary>Newest first; every pipeline's when <paramref name="pipeline"/> is null or empty.</summary>
    Task<IReadOnlyList<PipelineRun>> ListPipelineRunsAsync(string? pipeline, int limit, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the entry with <c>entry.cache_key</c>.</summary>
    Task PutStepCacheEntryAsync(PipelineStepRun entry, CancellationToken cancellationToken);

    Task<PipelineStepRun?> GetStepCacheEntryAsync(string cacheKey, CancellationToken cancellationToken);
}
