using MlOps.Contracts;
using MlOps.Coordinator.Storage;
using MlOps.Pipelines.Caching;
using MlOps.Pipelines.Running;

namespace MlOps.Coordinator.Pipelines;

/// <summary>The step cache in the state store, shared by every run and every coordinator of the cluster.</summary>
internal sealed class StoreStepCache(IPipelineStore store) : IStepCache
{
    public async ValueTask<IReadOnlyDictionary<string, ResolvedArtifact>?> TryGetAsync(string cacheKey, CancellationToken cancellationToken)
    {
        var entry = await store.GetStepCacheEntryAsync(cacheKey, cancellationToken);
        return entry?.Outputs.ToDictionary(o => o.Name, o => new ResolvedArtifact(o.Reference, o.Digest), StringComparer.Ordinal);
    }

    public async ValueTask PutAsync(string cacheKey, IReadOnlyDictionary<string, ResolvedArtifact> outputs, CancellationToken cancellationToken)
    {
        var entry = new PipelineStepRun { CacheKey = cacheKey };
        entry.Outputs.AddRange(PipelineRunMapping.Artifacts(outputs));
        await store.PutStepCacheEntryAsync(entry, cancellationToken);
    }
}
