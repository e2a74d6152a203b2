using MlOps.Pipelines.Running;

namespace MlOps.Pipelines.Caching;

/// <summary>
/// Step outputs by cache key (<see cref="StepCacheKey"/>). The coordinator implements it over its state store;
/// <see cref="InMemoryStepCache"/> serves tests and single-process use. An entry only ever maps a key to outputs
/// that the step produced for exactly those inputs, params and code, so a later put for the same key may
/// replace it (a forced re-run refreshes it).
/// </summary>
public interface IStepCache
{
    /// <summary>The outputs stored for <paramref name="cacheKey"/> by output name, or null when there are none.
    /// The runner treats an entry that lacks a declared output as a miss.</summary>
    ValueTask<IReadOnlyDictionary<string, ResolvedArtifact>?> TryGetAsync(string cacheKey, CancellationToken cancellationToken);

    ValueTask PutAsync(string cacheKey, IReadOnlyDictionary<string, ResolvedArtifact> outputs, CancellationToken cancellationToken);
}
