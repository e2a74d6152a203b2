using MlOps.Artifacts.Manifests;
using MlOps.Core.Digests;

namespace MlOps.Artifacts.Tests.Infrastructure;

/// <summary>
/// A read-only store that answers every manifest request with one given manifest (whatever its bytes) and serves one
/// config blob by its digest; every other blob is missing. Fuzzing pulls through it, so the library's own read path
/// (manifest parse, type check, config read and parse, layer names) runs on hostile content up to the first download.
/// </summary>
internal sealed class ReplayArtifactStore(byte[] manifest, byte[] config) : IArtifactStore
{
    private readonly string _configDigest = Sha256Digest.OfBytes(config);

    public string Location => "replay";

    public Task<ManifestContent> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default) =>
        Task.FromResult(new ManifestContent(manifest, OciMediaTypes.ImageManifest, Sha256Digest.OfBytes(manifest)));

    public Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken = default) =>
        digest == _configDigest
            ? Task.FromResult<Stream>(new MemoryStream(config, writable: false))
            : throw new ArtifactNotFoundException($"blob {digest} is not in the replay store");

    public Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken = default) =>
        Task.FromResult(digest == _configDigest);

    public Task<BlobDescriptor> PushBlobAsync(string repository, Stream content, string mediaType, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("the replay store is read-only");

    public Task<string> PushManifestAsync(string repository, ReadOnlyMemory<byte> manifestBytes, string mediaType, string? tag,
        CancellationToken cancellationToken = default) => throw new NotSupportedException("the replay store is read-only");

    public Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([]);
}
