using System.Collections.Concurrent;
using MlOps.Artifacts;
using MlOps.Artifacts.Datasets;
using MlOps.Core.Digests;

namespace MlOps.Agent.Jobs;

/// <summary>
/// Node-local copies of registered dataset versions, one directory per manifest digest
/// (<c>datasets/&lt;hex&gt;</c>). A version is fetched once, every file verified against its digest, and appears only
/// when complete; later jobs on the same version reuse it.
/// </summary>
internal sealed class DatasetCache(string root, IArtifactStore store)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _fetching = new();

    /// <summary>The directory holding the files of <paramref name="digest"/>, fetched from <paramref name="repository"/> if needed.</summary>
    public async Task<string> GetAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        if (!Sha256Digest.IsValid(digest))
        {
            throw new ArgumentException($"dataset digest '{digest}' is not a sha256 digest", nameof(digest));
        }

        var directory = Path.Combine(root, digest[Sha256Digest.Prefix.Length..]);
        var gate = _fetching.GetOrAdd(digest, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(root);
                await store.PullDatasetAsync(repository, digest, directory, cancellationToken);
            }

            return directory;
        }
        finally
        {
            gate.Release();
        }
    }
}
