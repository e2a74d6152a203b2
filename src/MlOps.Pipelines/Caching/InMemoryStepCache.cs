using System.Collections.Concurrent;
using MlOps.Pipelines.Running;

namespace MlOps.Pipelines.Caching;

/// <summary>An <see cref="IStepCache"/> in a dictionary: for tests and one-process use; it forgets on restart.</summary>
public sealed class InMemoryStepCache : IStepCache
{
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, ResolvedArtifact>> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    public ValueTask<IReadOnlyDictionary<string, ResolvedArtifact>?> TryGetAsync(string cacheKey, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_entries.TryGetValue(cacheKey, out var outputs) ? outputs : null);

    public ValueTask PutAsync(string cacheKey, IReadOnlyDictionary<string, ResolvedArtifact> outputs, CancellationToken cancellationToken)
    {
        _entries[cacheKey] = new Dictionary<string, ResolvedArtifact>(outputs, StringComparer.Ordinal);
        return ValueTask.CompletedTask;
    }

    /// <summary>Drops every entry (a test's "cache was cleared").</summary>
    public void Clear() => _entries.Clear();
}
