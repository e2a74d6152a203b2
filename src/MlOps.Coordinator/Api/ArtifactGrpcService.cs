using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using MlOps.Artifacts;
using MlOps.Artifacts.Configuration;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Naming;
using MlOps.Contracts;
using MlOps.Coordinator.Artifacts;
using MlOps.Core.Jobs;

namespace MlOps.Coordinator.Api;

/// <summary>
/// <c>ArtifactService</c>: the coordinator's artifact store (an OCI image layout on its disk, or a registry it
/// fronts) for agents and the CLI. Names are checked first (INVALID_ARGUMENT naming the field and value); store
/// errors map through <see cref="RpcErrors.FromArtifactError"/>.
/// </summary>
internal sealed class ArtifactGrpcService(IArtifactStore store, IOptions<ArtifactStoreOptions> options, ILogger<ArtifactGrpcService> logger)
    : ArtifactService.ArtifactServiceBase
{
    /// <summary>Largest chunk PullBlob sends; PushBlob clients use the same size.</summary>
    public const int ChunkSize = 1 << 20;

    private const string DefaultMediaType = "application/octet-stream";

    public override Task<BlobStat> StatBlob(BlobRef request, ServerCallContext context) =>
        Guard(request.Repository, async () =>
        {
            CheckFields(("repository", () => ArtifactNames.ValidateRepository(request.Repository)), ("digest", () => ArtifactNames.ValidateDigest(request.Digest)));
            if (!await store.BlobExistsAsync(request.Repository, request.Digest, context.CancellationToken))
            {
                return RpcErrors.ThrowNotFound<BlobStat>("digest", $"blob {request.Digest} not found in repository '{request.Repository}'");
            }

            // The store's interface has no stat: the size is the open stream's length, or what reading it yields.
            // Blobs carry no media type of their own (manifests name it), so none is answered.
            await using var blob = await store.OpenBlobAsync(request.Repository, request.Digest, context.CancellationToken);
            var size = blob.CanSeek ? blob.Length : await CountAsync(blob, context.CancellationToken);
            return new BlobStat { Repository = request.Repository, Digest = request.Digest, Size = size };
        });

    public override async Task<BlobStat> PushBlob(IAsyncStreamReader<BlobChunk> requestStream, ServerCallContext context)
    {
        if (!await requestStream.MoveNext(context.CancellationToken))
        {
            RpcErrors.ThrowInvalidArgument("repository", "the stream ended before its first chunk (repository, media_type, data)");
        }

        var first = requestStream.Current;
        return await Guard(first.Repository, async () =>
        {
            CheckFields(
                ("repository", () => ArtifactNames.ValidateRepository(first.Repository)),
                ("expected_digest", () => _ = string.IsNullOrEmpty(first.ExpectedDigest) ? "" : ArtifactNames.ValidateDigest(first.ExpectedDigest)));
            var mediaType = string.IsNullOrEmpty(first.MediaType) ? DefaultMediaType : first.MediaType;
            var maxBytes = options.Value.MaxBlobBytes;
            BlobDescriptor descriptor;
            try
            {
                await using var content = new BlobUploadStream(first, requestStream, first.ExpectedDigest, maxBytes, context.CancellationToken);
                descriptor = await store.PushBlobAsync(first.Repository, content, mediaType, context.CancellationToken);
            }
            catch (Exception ex) when (Find<BlobDigestMismatchException>(ex) is { } mismatch)
            {
                ArtifactsLog.BlobRefused(logger, first.Repository, mismatch.Expected, mismatch.Actual);
                throw RpcErrors.InvalidArgument([new FieldError("expected_digest", $"{mismatch.Message}; nothing was stored")]);
            }
            catch (Exception ex) when (Find<BlobTooLargeException>(ex) is { } tooLarge)
            {
                // The store's write failed before committing, so its temporary file is gone: nothing partial is kept.
                ArtifactsLog.BlobTooLarge(logger, first.Repository, tooLarge.MaxBytes);
                throw new RpcException(new Status(StatusCode.ResourceExhausted, $"data: {tooLarge.Message}; nothing was stored"));
            }

            ArtifactsLog.BlobPushed(logger, first.Repository, descriptor.Digest, descriptor.Size);
            return new BlobStat { Repository = first.Repository, Digest = descriptor.Digest, Size = descriptor.Size, MediaType = mediaType };
        });
    }

    public override Task PullBlob(BlobRef request, IServerStreamWriter<BlobChunk> responseStream, ServerCallContext context) =>
        Guard(request.Repository, async () =>
        {
            CheckFields(("repository", () => ArtifactNames.ValidateRepository(request.Repository)), ("digest", () => ArtifactNames.ValidateDigest(request.Digest)));
            await using var blob = await store.OpenBlobAsync(request.Repository, request.Digest, context.CancellationToken);

            // One chunk is held back until the next read succeeds: the store verifies the digest when it reaches the
            // end, so a corrupt blob fails (DATA_LOSS) before its last chunk leaves and no client sees a whole bad blob.
            var pending = await ReadChunkAsync(blob, context.CancellationToken);
            while (true)
            {
                var next = await ReadChunkAsync(blob, context.CancellationToken);
                if (next.Length == 0)
                {
                    await responseStream.WriteAsync(new BlobChunk { Data = UnsafeByteOperations.UnsafeWrap(pending) }, context.CancellationToken);
                    return true;
                }

                await responseStream.WriteAsync(new BlobChunk { Data = UnsafeByteOperations.UnsafeWrap(pending) }, context.CancellationToken);
                pending = next;
            }
        });

    public override Task<PushManifestResponse> PushManifest(PushManifestRequest request, ServerCallContext context) =>
        Guard(request.Repository, async () =>
        {
            CheckFields(
                ("repository", () => ArtifactNames.ValidateRepository(request.Repository)),
                ("content", () => Require(!request.Content.IsEmpty, "is required (the manifest's exact bytes)")),
                ("media_type", () => Require(!string.IsNullOrEmpty(request.MediaType), "is required, e.g. " + OciMediaTypes.ImageManifest)),
                ("tag", () => _ = string.IsNullOrEmpty(request.Tag) ? "" : ArtifactNames.ValidateTag(request.Tag)));
            var digest = await store.PushManifestAsync(
                request.Repository, request.Content.Memory, request.MediaType, string.IsNullOrEmpty(request.Tag) ? null : request.Tag,
                context.CancellationToken);
            ArtifactsLog.ManifestPushed(logger, request.Repository, digest, request.Tag);
            return new PushManifestResponse { Digest = digest };
        });

    public override Task<Contracts.Manifest> GetManifest(GetManifestRequest request, ServerCallContext context) =>
        Guard(request.Repository, async () =>
        {
            CheckFields(("repository", () => ArtifactNames.ValidateRepository(request.Repository)), ("reference", () => ArtifactNames.ValidateReference(request.Reference)));
            var manifest = await store.GetManifestAsync(request.Repository, request.Reference, context.CancellationToken);
            return new Contracts.Manifest { Content = ByteString.CopyFrom(manifest.Bytes), MediaType = manifest.MediaType, Digest = manifest.Digest };
        });

    public override Task<ListTagsResponse> ListTags(ListTagsRequest request, ServerCallContext context) =>
        Guard(request.Repository, async () =>
        {
            CheckFields(("repository", () => ArtifactNames.ValidateRepository(request.Repository)));
            var response = new ListTagsResponse();
            response.Tags.AddRange(await store.ListTagsAsync(request.Repository, context.CancellationToken));
            return response;
        });

    /// <summary>Runs every check and throws one INVALID_ARGUMENT listing each field that failed.</summary>
    private static void CheckFields(params (string Field, Action Check)[] checks)
    {
        var errors = new List<FieldError>();
        foreach (var (field, check) in checks)
        {
            try
            {
                check();
            }
            catch (ArgumentException ex)
            {
                errors.Add(new FieldError(field, WithoutParameterName(ex)));
            }
        }

        if (errors.Count > 0)
        {
            throw RpcErrors.InvalidArgument(errors);
        }
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    private static string WithoutParameterName(ArgumentException ex) =>
        ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", "", StringComparison.Ordinal);

    /// <summary>Maps what the store throws; an <see cref="ArgumentException"/> the checks above let through is still the caller's input.</summary>
    private async Task<T> Guard<T>(string repository, Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (ArtifactInvalidException ex)
        {
            throw RpcErrors.InvalidArgument([new FieldError("content", ex.Message)]);
        }
        catch (ArtifactException ex)
        {
            ArtifactsLog.RequestFailed(logger, repository, ex.GetType().Name, ex.Message);
            throw RpcErrors.FromArtifactError(ex);
        }
        catch (ArgumentException ex)
        {
            throw RpcErrors.InvalidArgument([new FieldError(string.IsNullOrEmpty(ex.ParamName) ? "repository" : ex.ParamName, WithoutParameterName(ex))]);
        }
    }

    private static T? Find<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static async Task<byte[]> ReadChunkAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[ChunkSize];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled == buffer.Length ? buffer : buffer[..filled];
    }

    private static async Task<long> CountAsync(Stream stream, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += n;
        }

        return total;
    }
}
