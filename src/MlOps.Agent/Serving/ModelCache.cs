using System.Collections.Concurrent;
using MlOps.Artifacts;
using MlOps.Artifacts.Models;
using MlOps.Core.Digests;

namespace MlOps.Agent.Serving;

/// <summary>
/// The node-local copy of served model artifacts: <c>models/&lt;manifest hex&gt;</c> under the agent's data
/// directory, pulled once per manifest (every layer verified; the directory appears only when complete) and shared
/// by every version and deployment that serves those bytes. Concurrent requests for one manifest share one pull.
/// </summary>
internal sealed class ModelCache(IArtifactStore store, string root)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _pulls = new(StringComparer.Ordinal);

    public string Root { get; } = root;

    /// <summary>The directory holding the model of <paramref name="manifestDigest"/>, pulled first if missing.</summary>
    public async Task<string> EnsureAsync(string repository, string manifestDigest, CancellationToken cancellationToken)
    {
        if (!Sha256Digest.IsValid(manifestDigest))
        {
            throw new ArgumentException($"'{manifestDigest}' is not a sha256 manifest digest", nameof(manifestDigest));
        }

        var directory = Path.Combine(Root, manifestDigest[Sha256Digest.Prefix.Length..]);
        if (Directory.Exists(directory))
        {
            return directory;
        }

        var gate = _pulls.GetOrAdd(manifestDigest, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            if (!Directory.Exists(directory))
            {
                Directory.CreateDirectory(Root);
                await store.PullModelAsync(repository, manifestDigest, directory, cancellationToken);
            }

            return directory;
        }
        finally
        {
            gate.Release();
        }
    }
}
