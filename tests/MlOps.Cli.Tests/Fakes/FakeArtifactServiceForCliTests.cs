using System.Collections.Concurrent;
using Google.Protobuf;
using Grpc.Core;
using MlOps.Artifacts;
using MlOps.Artifacts.Configuration;
using MlOps.Contracts;
using MlOps.Testing;

namespace MlOps.Cli.Tests.Fakes;

/// <summary>
/// TEST DOUBLE of the coordinator's ArtifactService for CLI tests: the real on-disk OCI layout store in a temp
/// directory behind it, with the service's status codes (NOT_FOUND, INVALID_ARGUMENT, DATA_LOSS).
/// <see cref="CorruptOnPull"/> flips the last byte of a pulled blob, as a damaged disk or link would.
/// </summary>
internal sealed class FakeArtifactServiceForCliTests : ArtifactService.ArtifactServiceBase, IDisposable
{
    private const int ChunkSize = 1 << 20;

    private readonly TempDirectory _root = new("mlops-cli-artifacts");
    private int _blobPushes;

    public FakeArtifactServiceForCliTests() => Store = ArtifactStoreFactory.CreateLayout(_root.Path);

    /// <summary>The store behind the service, for tests to arrange and inspect artifacts directly.</summary>
    public IArtifactStore Store { get; }

    /// <summary>How many PushBlob calls arrived (blobs the store already had are not sent again).</summary>
    public int BlobPushes => _blobPushes;

    public ConcurrentQueue<string> Users { get; } = new();

    /// <summary>Blob digests whose bytes are damaged on the way out.</summary>
    public ConcurrentDictionary<string, bool> CorruptOnPull { get; } = new();

    public override Task<BlobStat> StatBlob(BlobRef request, ServerCallContext context) => Mapped(context, async () =>
    {
        if (!await Store.BlobExistsAsync(request.Repository, request.Digest, context.CancellationToken))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"blob {request.Repository}@{request.Digest} not found"));
        }

        return new BlobStat { Repository = request.Repository, Digest = request.Digest };
    });

    public override Task<BlobStat> PushBlob(IAsyncStreamReader<BlobChunk> requestStream, ServerCallContext context) => Mapped(context, async () =>
    {
        Interlocked.Increment(ref _blobPushes);
        using var buffer = new MemoryStream();
        BlobChunk? first = null;
        await foreach (var chunk in requestStream.ReadAllAsync(context.CancellationToken))
        {
            first ??= chunk;
            chunk.Data.WriteTo(buffer);
        }

        if (first is null || first.Repository.Length == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "the first chunk must name the repository"));
        }

        buffer.Position = 0;
        var pushed = await Store.PushBlobAsync(first.Repository, buffer, first.MediaType, context.CancellationToken);
        if (first.ExpectedDigest.Length > 0 && first.ExpectedDigest != pushed.Digest)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"content hashes to {pushed.Digest}, not {first.ExpectedDigest}"));
        }

        return new BlobStat { Repository = first.Repository, Digest = pushed.Digest, Size = pushed.Size, MediaType = first.MediaType };
    });

    public override Task PullBlob(BlobRef request, IServerStreamWriter<BlobChunk> responseStream, ServerCallContext context) => Mapped(context, async () =>
    {
        byte[] bytes;
        await using (var stream = await Store.OpenBlobAsync(request.Repository, request.Digest, context.CancellationToken))
        using (var buffer = new MemoryStream())
        {
            await stream.CopyToAsync(buffer, context.CancellationToken);
            bytes = buffer.ToArray();
        }

        if (CorruptOnPull.ContainsKey(request.Digest) && bytes.Length > 0)
        {
            bytes[^1] ^= 0xff;
        }

        var offset = 0;
        do
        {
            var count = Math.Min(ChunkSize, bytes.Length - offset);
            await responseStream.WriteAsync(new BlobChunk { Data = ByteString.CopyFrom(bytes, offset, count) });
            offset += count;
        }
        while (offset < bytes.Length);

        return true;
    });

    public override Task<PushManifestResponse> PushManifest(PushManifestRequest request, ServerCallContext context) => Mapped(context, async () =>
        new PushManifestResponse
        {
            Digest = await Store.PushManifestAsync(request.Repository, request.Content.Memory, request.MediaType,
                request.Tag.Length > 0 ? request.Tag : null, context.CancellationToken),
        });

    public override Task<Manifest> GetManifest(GetManifestRequest request, ServerCallContext context) => Mapped(context, async () =>
    {
        var manifest = await Store.GetManifestAsync(request.Repository, request.Reference, context.CancellationToken);
        return new Manifest { Content = ByteString.CopyFrom(manifest.Bytes), MediaType = manifest.MediaType, Digest = manifest.Digest };
    });

    public override Task<ListTagsResponse> ListTags(ListTagsRequest request, ServerCallContext context) => Mapped(context, async () =>
    {
        var response = new ListTagsResponse();
        response.Tags.Add(await Store.ListTagsAsync(request.Repository, context.CancellationToken));
        return response;
    });

    public void Dispose() => _root.Dispose();

    /// <summary>The store's exceptions as the coordinator's service maps them.</summary>
    private async Task<T> Mapped<T>(ServerCallContext context, Func<Task<T>> call)
    {
        Users.Enqueue(context.RequestHeaders.GetValue("x-mlops-user") ?? "(none)");
        try
        {
            return await call();
        }
        catch (ArtifactNotFoundException ex)
        {
            throw new RpcException(new Status(StatusCode.NotFound, ex.Message));
        }
        catch (ArtifactCorruptException ex)
        {
            throw new RpcException(new Status(StatusCode.DataLoss, ex.Message));
        }
        catch (Exception ex) when (ex is ArgumentException or ArtifactInvalidException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, ex.Message));
        }
    }
}
