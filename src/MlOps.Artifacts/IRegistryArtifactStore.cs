namespace MlOps.Artifacts;

/// <summary>An <see cref="IArtifactStore"/> backed by an OCI distribution registry, with what only a registry can do.
/// Dispose it to release its connections.</summary>
public interface IRegistryArtifactStore : IArtifactStore, IDisposable
{
    /// <summary>The registry's base URL (the API lives under <c>/v2/</c>).</summary>
    Uri BaseUri { get; }

    /// <summary>Checks that the registry answers <c>GET /v2/</c> and accepts the configured credentials.</summary>
    Task PingAsync(CancellationToken cancellationToken = default);

    /// <summary>Links a blob that <paramref name="fromRepository"/> already has into <paramref name="repository"/> without
    /// sending its bytes (<c>POST /v2/&lt;name&gt;/blobs/uploads/?mount=&lt;digest&gt;&amp;from=&lt;repo&gt;</c>).
    /// Returns false when the registry did not mount it (the source lacks the blob or cross-repository mounts are
    /// off); the caller then pushes the bytes.</summary>
    Task<bool> MountBlobAsync(string repository, string digest, string fromRepository, CancellationToken cancellationToken = default);
}
