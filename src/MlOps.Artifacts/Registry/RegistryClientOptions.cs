namespace MlOps.Artifacts.Registry;

/// <summary>Validated settings of one registry client (built from <see cref="Configuration.ArtifactStoreOptions"/>).</summary>
internal sealed record RegistryClientOptions(Uri BaseUri)
{
    public string? Username { get; init; }

    public string? Password { get; init; }

    /// <summary>Blobs up to this size go in one PUT; larger ones in PATCH chunks of this size.</summary>
    public int ChunkSizeBytes { get; init; } = 16 * 1024 * 1024;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(100);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Tests wrap the real handler to observe requests (e.g. count PATCH chunks); null in production.</summary>
    public Func<HttpMessageHandler, HttpMessageHandler>? WrapHandler { get; init; }
}
