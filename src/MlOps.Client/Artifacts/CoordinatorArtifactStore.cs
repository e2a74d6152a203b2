using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using MlOps.Artifacts;
using MlOps.Contracts;

namespace MlOps.Client.Artifacts;

/// <summary>
/// <see cref="IArtifactStore"/> over the coordinator's <c>ArtifactService</c>: how agents and the CLI reach the
/// embedded store without touching the coordinator's disk. Blobs travel in 1 MiB chunks; reads are verified here
/// too, so a blob damaged anywhere on the way is never taken as good.
/// </summary>
public sealed class CoordinatorArtifactStore(ArtifactService.ArtifactServiceClient client, string location) : IArtifactStore
{
    /// <summary>Chunk size of blob transfers; the coordinator accepts messages of this size.</summary>
    public const int ChunkSize = 1 << 20;

    public string Location { get; } = location;

    public async Task<bool> BlobExistsAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        try
        {
            await Call(() => client.StatBlobAsync(new BlobRef { Repository = repository, Digest = digest }, cancellationToken: cancellationToken).ResponseAsync);
            return true;
        }
        catch (ArtifactNotFoundException)
        {
            return false;
        }
    }

    public Task<BlobDescriptor> PushBlobAsync(string repository, Stream content, string mediaType, CancellationToken cancellationToken = default) =>
        Call(async () =>
        {
            using var call = client.PushBlob(cancellationToken: cancellationToken);
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
            try
            {
                var first = true;
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(0, ChunkSize), cancellationToken)) > 0 || first)
                {
                    var chunk = new BlobChunk { Data = ByteString.CopyFrom(buffer, 0, read) };
                    if (first)
                    {
                        chunk.Repository = repository;
                        chunk.MediaType = mediaType;
                        first = false;
                    }

                    await call.RequestStream.WriteAsync(chunk, cancellationToken);
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            await call.RequestStream.CompleteAsync();
            var stat = await call;
            return new BlobDescriptor(mediaType, stat.Digest, stat.Size);
        });

    public async Task<Stream> OpenBlobAsync(string repository, string digest, CancellationToken cancellationToken = default)
    {
        // Spooled to a temp file: callers may read slowly, and the digest must be checked before anyone trusts it.
        var path = Path.Combine(Path.GetTempPath(), $"mlops-blob-{Guid.NewGuid():n}");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            await Call(async () =>
            {
                using var call = client.PullBlob(new BlobRef { Repository = repository, Digest = digest }, cancellationToken: cancellationToken);
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    await file.WriteAsync(chunk.Data.Memory, cancellationToken);
                }

                return true;
            });

            file.Position = 0;
            var actual = MlOps.Core.Digests.Sha256Digest.Format(await System.Security.Cryptography.SHA256.HashDataAsync(file, cancellationToken));
            if (actual != digest)
            {
                throw new ArtifactCorruptException($"{repository}@{digest}: received bytes hash to {actual}");
            }

            file.Position = 0;
            return file;
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    public Task<string> PushManifestAsync(string repository, ReadOnlyMemory<byte> manifest, string mediaType, string? tag, CancellationToken cancellationToken = default) =>
        Call(async () => (await client.PushManifestAsync(new PushManifestRequest
        {
            Repository = repository,
            Content = ByteString.CopyFrom(manifest.Span),
            MediaType = mediaType,
            Tag = tag ?? "",
        }, cancellationToken: cancellationToken)).Digest);

    public Task<ManifestContent> GetManifestAsync(string repository, string reference, CancellationToken cancellationToken = default) =>
        Call(async () =>
        {
            var manifest = await client.GetManifestAsync(new GetManifestRequest { Repository = repository, Reference = reference }, cancellationToken: cancellationToken);
            var bytes = manifest.Content.ToByteArray();
            var actual = MlOps.Core.Digests.Sha256Digest.OfBytes(bytes);
            if (actual != manifest.Digest)
            {
                throw new ArtifactCorruptException($"{repository}:{reference}: manifest bytes hash to {actual}, not {manifest.Digest}");
            }

            return new ManifestContent(bytes, manifest.MediaType, manifest.Digest);
        });

    public Task<IReadOnlyList<string>> ListTagsAsync(string repository, CancellationToken cancellationToken = default) =>
        Call<IReadOnlyList<string>>(async () => [.. (await client.ListTagsAsync(new ListTagsRequest { Repository = repository }, cancellationToken: cancellationToken)).Tags]);

    /// <summary>Maps the service's status codes back to the store's exception types.</summary>
    private async Task<T> Call<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (RpcException ex)
        {
            throw ex.StatusCode switch
            {
                StatusCode.NotFound => new ArtifactNotFoundException(ex.Status.Detail, ex),
                StatusCode.DataLoss => new ArtifactCorruptException(ex.Status.Detail, ex),
                StatusCode.InvalidArgument => new ArgumentException(ex.Status.Detail, ex),
                StatusCode.Unauthenticated or StatusCode.PermissionDenied => new ArtifactAuthenticationException(ex.Status.Detail, ex),
                StatusCode.Unavailable or StatusCode.DeadlineExceeded => new ArtifactStoreUnavailableException($"{Location}: {ex.Status.Detail}", ex),
                _ => (Exception)new ArtifactStoreUnavailableException($"{Location}: {ex.Status.StatusCode} {ex.Status.Detail}", ex),
            };
        }
    }
}
