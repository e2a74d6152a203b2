using System.Text;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Naming;
using MlOps.Artifacts.Verification;
using MlOps.Core.Digests;

namespace MlOps.Artifacts.Layout;

/// <summary>
/// The embedded store: one OCI image layout per repository under a root directory,
/// <c>&lt;root&gt;/&lt;repository&gt;/{oci-layout, index.json, blobs/sha256/&lt;hex&gt;}</c>. Blobs are written atomically
/// (<see cref="BlobFileWriter"/>), index.json is replaced atomically under <see cref="IndexLock"/>, tags are
/// <c>org.opencontainers.image.ref.name</c> annotations, and every read is verified against its digest.
/// </summary>
internal sealed class OciLayoutStore : IArtifactStore
{
    private const string LayoutFileContent = "{\"imageLayoutVersion\":\"1.0.0\"}";

    private readonly bool _useProcessLock;
    private readonly TimeSpan _lockTimeout;

    /// <param name="root">The directory that holds one layout per repository (created when missing).</param>
    /// <param name="useProcessLock">False only in tests, to exercise the cross-process file lock alone.</param>
    /// <param name="lockTimeout">How long a write waits for index.json's lock (default 30 s).</param>
    public OciLayoutStore(string root, bool useProcessLock = true, TimeSpan? lockTimeout = null)
    {
        Root = Path.GetFullPath(root);
        _useProcessLock = useProcessLock;
        _lockTimeout = lockTimeout ?? TimeSpan.FromSeconds(30);
    }

    public string Root { get; }

    public string Location => Root;

    public Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        ArtifactNames.ValidateDigest(digest);
        return Task.FromResult(File.Exists(BlobPath(repository, digest)));
    }

    public async Task<BlobDescriptor> PushBlobAsync(string repository, Stream content, string mediaType, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaType);
        var directory = await EnsureLayoutAsync(repository, cancellationToken);
        var (digest, size) = await BlobFileWriter.WriteAsync(BlobsDirectory(directory), content, cancellationToken);
        return new BlobDescriptor(mediaType, digest, size);
    }

    public Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        ArtifactNames.ValidateDigest(digest);
        var path = BlobPath(repository, digest);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ArtifactNotFoundException($"blob {digest} not found in {repository} at {Root}", e);
        }

        return Task.FromResult<Stream>(new VerifyingStream(file, digest, expectedLength: null, $"blob {digest} in {repository} ({path})"));
    }

    public async Task<string> PushManifestAsync(string repository, ReadOnlyMemory<byte> manifest, string mediaType, string? tag,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(mediaType);
        if (tag is not null)
        {
            ArtifactNames.ValidateTag(tag);
        }

        var directory = RepositoryDirectory(repository);
        var references = ManifestReferences.Read(manifest.Span, mediaType, $"manifest for {repository}");
        var missing = references.Digests.Distinct().Where(d => !File.Exists(BlobPath(repository, d))).ToList();
        if (missing.Count > 0)
        {
            throw new ArtifactNotFoundException(
                $"manifest for {repository} refers to blobs not in the repository at {Root}: {string.Join(", ", missing)}; push them first");
        }

        await EnsureLayoutAsync(repository, cancellationToken);
        using var content = new MemoryStream(manifest.ToArray(), writable: false);
        var (digest, size) = await BlobFileWriter.WriteAsync(BlobsDirectory(directory), content, cancellationToken);
        await using (await IndexLock.AcquireAsync(IndexPath(directory) + ".lock", _useProcessLock, _lockTimeout, cancellationToken))
        {
            var index = await LayoutIndex.LoadAsync(IndexPath(directory), cancellationToken);
            index.Put(new BlobDescriptor(mediaType, digest, size), tag);
            await AtomicFile.WriteAllBytesAsync(IndexPath(directory), index.ToJsonBytes(), cancellationToken);
        }

        return digest;
    }

    public async Task<ManifestContent> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default)
    {
        var isDigest = ArtifactNames.ValidateReference(reference);
        var directory = RepositoryDirectory(repository);
        var index = await LayoutIndex.LoadAsync(IndexPath(directory), cancellationToken);
        string digest;
        string? mediaType;
        if (isDigest)
        {
            digest = reference;
            mediaType = index.MediaTypeOf(digest);
        }
        else
        {
            (digest, mediaType) = index.Find(reference)
                ?? throw new ArtifactNotFoundException($"tag '{reference}' not found in {repository} at {Root}");
        }

        var bytes = await ReadVerifiedAsync(repository, digest, cancellationToken);
        mediaType ??= ManifestReferences.DeclaredMediaTypeOf(bytes)
            ?? throw new ArtifactNotFoundException($"{digest} in {repository} at {Root} is a blob, not a manifest");
        return new ManifestContent(bytes, mediaType, digest);
    }

    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken = default)
    {
        var index = await LayoutIndex.LoadAsync(IndexPath(RepositoryDirectory(repository)), cancellationToken);
        return index.Tags;
    }

    private async Task<byte[]> ReadVerifiedAsync(string repository, string digest, CancellationToken cancellationToken)
    {
        await using var stream = await OpenBlobAsync(repository, digest, cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    /// <summary>Creates the repository's layout (oci-layout, empty index.json, blobs/sha256) when it is missing.</summary>
    private async Task<string> EnsureLayoutAsync(string repository, CancellationToken cancellationToken)
    {
        var directory = RepositoryDirectory(repository);
        if (File.Exists(Path.Combine(directory, "oci-layout")))
        {
            return directory;
        }

        Directory.CreateDirectory(BlobsDirectory(directory));
        await using (await IndexLock.AcquireAsync(IndexPath(directory) + ".lock", _useProcessLock, _lockTimeout, cancellationToken))
        {
            if (!File.Exists(IndexPath(directory)))
            {
                await AtomicFile.WriteAllBytesAsync(IndexPath(directory), LayoutIndex.Empty().ToJsonBytes(), cancellationToken);
            }

            // Written last: its presence means the layout is complete.
            await AtomicFile.WriteAllBytesAsync(Path.Combine(directory, "oci-layout"), Encoding.UTF8.GetBytes(LayoutFileContent), cancellationToken);
        }

        return directory;
    }

    /// <summary>The repository's directory; the name is validated first, and the result checked to lie under the root.</summary>
    internal string RepositoryDirectory(string repository)
    {
        ArtifactNames.ValidateRepository(repository);
        var directory = Path.GetFullPath(Path.Combine(Root, repository.Replace('/', Path.DirectorySeparatorChar)));
        return directory.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? directory
            : throw new ArgumentException($"repository name '{repository}' leads outside {Root}", nameof(repository));
    }

    internal string BlobPath(string repository, string digest) =>
        Path.Combine(BlobsDirectory(RepositoryDirectory(repository)), digest[Sha256Digest.Prefix.Length..]);

    private static string BlobsDirectory(string repositoryDirectory) => Path.Combine(repositoryDirectory, "blobs", "sha256");

    private static string IndexPath(string repositoryDirectory) => Path.Combine(repositoryDirectory, "index.json");
}
