namespace MlOps.Artifacts;

/// <summary>A blob or manifest as a manifest refers to it (OCI descriptor).</summary>
public sealed record BlobDescriptor(string MediaType, string Digest, long Size)
{
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }
}

/// <summary>A manifest as stored: its exact bytes (the digest is over these), media type and digest.</summary>
public sealed record ManifestContent(byte[] Bytes, string MediaType, string Digest);

/// <summary>
/// Content-addressed storage of OCI artifacts (blobs, manifests, tags) in named repositories such as
/// <c>models/fashion-mlp</c> or <c>datasets/fashion-mnist</c>. Two implementations: an OCI image-layout
/// directory (the embedded default) and a client of any OCI distribution registry.
/// </summary>
/// <remarks>
/// Every read is verified against its digest: a corrupt or truncated blob raises
/// <see cref="ArtifactCorruptException"/> and its bytes are never returned as good. Writes are atomic and pushing
/// the same content twice (even concurrently) is safe. Repository names follow the OCI distribution rules
/// (lowercase path components of <c>[a-z0-9]+([._-][a-z0-9]+)*</c> joined by <c>/</c>); anything else, including
/// <c>..</c>, is an <see cref="ArgumentException"/> naming the bad name.
/// </remarks>
public interface IArtifactStore
{
    /// <summary>Where the store lives, for messages (a directory or a registry URL).</summary>
    string Location { get; }

    Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken = default);

    /// <summary>Stores <paramref name="content"/> and returns its descriptor (digest computed while writing).</summary>
    Task<BlobDescriptor> PushBlobAsync(string repository, Stream content, string mediaType, CancellationToken cancellationToken = default);

    /// <summary>Opens a blob for reading; the stream throws <see cref="ArtifactCorruptException"/> at the end when the
    /// bytes do not match <paramref name="digest"/> (or their length is wrong).</summary>
    Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken = default);

    /// <summary>Stores a manifest (exact bytes) and, when <paramref name="tag"/> is given, points the tag at it.
    /// Every blob it refers to must already be in the repository. Returns the manifest's digest.</summary>
    Task<string> PushManifestAsync(string repository, ReadOnlyMemory<byte> manifest, string mediaType, string? tag, CancellationToken cancellationToken = default);

    /// <summary>Reads a manifest by tag or digest, verified against its digest.</summary>
    Task<ManifestContent> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken = default);
}
