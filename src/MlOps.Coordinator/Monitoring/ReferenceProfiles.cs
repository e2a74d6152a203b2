using System.Collections.Concurrent;
using MlOps.Artifacts;
using MlOps.Artifacts.Manifests;
using MlOps.Coordinator.Storage;
using MlOps.Monitoring.Profiles;
using MlOps.Monitoring.Serialization;

namespace MlOps.Coordinator.Monitoring;

/// <summary>A version's reference profile and the digest of the layer it came from.</summary>
public sealed record ReferenceProfile(ModelProfile Profile, string Digest);

/// <summary>Where reference profiles come from (the artifact store; tests substitute their own).</summary>
public interface IReferenceProfiles
{
    /// <summary>The reference of a registered version; null when the version has none (trained before profiles existed,
    /// or profiling failed).</summary>
    Task<ReferenceProfile?> GetAsync(string model, int version, CancellationToken cancellationToken);
}

/// <summary>
/// Reads a version's reference profile from its model artifact: the layer of media type
/// <see cref="OciMediaTypes.Profile"/>, verified against its digest by the store, parsed once and cached.
/// </summary>
internal sealed class ArtifactReferenceProfiles(IRegistryStore registry, IArtifactStore artifacts) : IReferenceProfiles
{
    private readonly ConcurrentDictionary<(string, int), Task<ReferenceProfile?>> _cache = new();

    public Task<ReferenceProfile?> GetAsync(string model, int version, CancellationToken cancellationToken)
    {
        var loading = _cache.GetOrAdd((model, version), _ => LoadAsync(model, version));
        if (loading.IsFaulted || loading.IsCanceled)
        {
            _cache.TryRemove(new KeyValuePair<(string, int), Task<ReferenceProfile?>>((model, version), loading));
        }

        return loading.WaitAsync(cancellationToken);
    }

    private async Task<ReferenceProfile?> LoadAsync(string model, int version)
    {
        var registered = await registry.GetModelVersionAsync(model, version, CancellationToken.None);
        if (registered is null)
        {
            return null;
        }

        var manifest = await artifacts.GetManifestAsync(registered.Repository, registered.ManifestDigest);
        var layer = OciManifest.Parse(manifest.Bytes, $"{registered.Repository}@{registered.ManifestDigest}").Layers
            .FirstOrDefault(l => l.MediaType == OciMediaTypes.Profile);
        if (layer is null)
        {
            return null;
        }

        await using var stream = await artifacts.OpenBlobAsync(registered.Repository, layer.Digest);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return new ReferenceProfile(ProfileJson.ReadModelProfile(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)), layer.Digest);
    }
}
