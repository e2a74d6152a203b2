using MlOps.Artifacts.Layout;
using MlOps.Artifacts.Naming;
using MlOps.Core.Digests;

namespace MlOps.Artifacts;

/// <summary>Conveniences over any <see cref="IArtifactStore"/>: files and byte arrays in and out, always verified.</summary>
public static class ArtifactStoreExtensions
{
    /// <summary>Pushes a file unless the repository already has its digest (hashed first, so an unchanged model or
    /// dataset file is never sent twice). Fails if the file changes while it is pushed.</summary>
    public static async Task<BlobDescriptor> PushFileAsync(this IArtifactStore store, string repository, string path, string mediaType,
        CancellationToken cancellationToken = default)
    {
        ArtifactNames.ValidateRepository(repository);
        var digest = await Sha256Digest.OfFileAsync(path, cancellationToken);
        var size = new FileInfo(path).Length;
        if (await store.BlobExistsAsync(repository, digest, cancellationToken))
        {
            return new BlobDescriptor(mediaType, digest, size);
        }

        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
        var pushed = await store.PushBlobAsync(repository, file, mediaType, cancellationToken);
        return pushed.Digest == digest
            ? pushed
            : throw new ArtifactInvalidException($"{path} changed while it was pushed to {repository} at {store.Location} ({digest} became {pushed.Digest})");
    }

    public static async Task<BlobDescriptor> PushBytesAsync(this IArtifactStore store, string repository, ReadOnlyMemory<byte> bytes, string mediaType,
        CancellationToken cancellationToken = default)
    {
        var digest = Sha256Digest.OfBytes(bytes.Span);
        if (await store.BlobExistsAsync(repository, digest, cancellationToken))
        {
            return new BlobDescriptor(mediaType, digest, bytes.Length);
        }

        using var stream = new MemoryStream(bytes.ToArray(), writable: false);
        return await store.PushBlobAsync(repository, stream, mediaType, cancellationToken);
    }

    /// <summary>Reads a whole blob, verified; refuses blobs larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]> ReadBlobBytesAsync(this IArtifactStore store, string repository, BlobDescriptor descriptor, int maxBytes,
        CancellationToken cancellationToken = default)
    {
        if (descriptor.Size > maxBytes)
        {
            throw new ArtifactInvalidException($"blob {descriptor.Digest} in {repository} is {descriptor.Size} bytes, over the {maxBytes}-byte limit");
        }

        await using var stream = await store.OpenBlobAsync(repository, descriptor.Digest, cancellationToken);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.Length == descriptor.Size
            ? buffer.ToArray()
            : throw SizeMismatch(store, repository, descriptor, buffer.Length);
    }

    /// <summary>Writes a blob to <paramref name="path"/>: into a temporary file beside it, verified (digest and the
    /// descriptor's size), then renamed; a corrupt blob leaves nothing at <paramref name="path"/>.</summary>
    public static async Task DownloadBlobAsync(this IArtifactStore store, string repository, BlobDescriptor descriptor, string path,
        CancellationToken cancellationToken = default)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temp = AtomicFile.NewTempPath(directory);
        try
        {
            long written;
            await using (var source = await store.OpenBlobAsync(repository, descriptor.Digest, cancellationToken))
            await using (var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: true))
            {
                await source.CopyToAsync(target, 1 << 20, cancellationToken);
                written = target.Length;
            }

            if (written != descriptor.Size)
            {
                throw SizeMismatch(store, repository, descriptor, written);
            }

            File.Move(temp, path, overwrite: true);
        }
        catch
        {
            AtomicFile.TryDelete(temp);
            throw;
        }
    }

    private static ArtifactCorruptException SizeMismatch(IArtifactStore store, string repository, BlobDescriptor descriptor, long actual) =>
        new($"blob {descriptor.Digest} in {repository} at {store.Location} has {actual} bytes where the manifest says {descriptor.Size}; not served");
}
