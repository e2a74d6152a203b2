using Google.Protobuf;
using Grpc.Core;
using MlOps.Artifacts.Manifests;
using MlOps.Contracts;
using MlOps.Coordinator.Api;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Api;

/// <summary>The artifact API over a real channel, on the coordinator's default store (an OCI layout in a temp dir).</summary>
[Trait("Category", "Integration")]
public sealed class ArtifactGrpcServiceTests : IDisposable
{
    private const string Repository = "models/blob-test";
    private const int Chunk = ArtifactGrpcService.ChunkSize;

    private readonly TempDirectory _directory = new();

    private string DataDirectory => _directory.Combine("data");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task PushBlob_MultiChunkWithExpectedDigest_StoredAndPulledBackInChunksOfAtMostOneMiB()
    {
        await using var host = await StartAsync();
        var data = Bytes((2 * Chunk) + 12345, seed: 1);
        var digest = Sha256Digest.OfBytes(data);

        var stat = await PushAsync(host, Repository, data, expectedDigest: digest);
        var statAgain = await host.Artifacts.StatBlobAsync(new BlobRef { Repository = Repository, Digest = digest });
        var chunks = await PullAsync(host.Artifacts.PullBlob(new BlobRef { Repository = Repository, Digest = digest }));

        Assert.Equal(digest, stat.Digest);
        Assert.Equal(data.Length, stat.Size);
        Assert.Equal(data.Length, statAgain.Size);
        Assert.Equal(3, chunks.Count);
        Assert.All(chunks, c => Assert.True(c.Length <= Chunk));
        Assert.Equal(data, chunks.SelectMany(c => c).ToArray());
    }

    [Fact]
    public async Task PushBlob_ExpectedDigestDiffers_InvalidArgumentAndNothingStored()
    {
        await using var host = await StartAsync();
        var data = Bytes(Chunk + 10, seed: 2);
        var wrong = Sha256Digest.OfBytes([1, 2, 3]);

        var ex = await Assert.ThrowsAsync<RpcException>(() => PushAsync(host, Repository, data, expectedDigest: wrong));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("expected_digest: ", ex.Status.Detail);
        Assert.Contains(wrong, ex.Status.Detail);
        Assert.False(await host.Store.BlobExistsAsync(Repository, Sha256Digest.OfBytes(data)));
        var blobs = Path.Combine(DataDirectory, "artifacts", Repository, "blobs", "sha256");
        Assert.True(!Directory.Exists(blobs) || Directory.GetFiles(blobs).Length == 0, "a blob or temp file was left behind");
    }

    [Fact]
    public async Task PushBlob_OverMaxBlobBytes_ResourceExhaustedNamingTheLimitAndNothingStored()
    {
        await using var host = await CoordinatorHost.StartAsync(DataDirectory, FourPixelDataset.Write(_directory.Combine("tiny")), "--Artifacts:MaxBlobBytes=1048576");
        var data = Bytes((2 * Chunk) + 10, seed: 4);

        var ex = await Assert.ThrowsAsync<RpcException>(() => PushAsync(host, Repository, data));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
        Assert.Contains("1048576-byte limit", ex.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Artifacts:MaxBlobBytes", ex.Status.Detail, StringComparison.Ordinal);
        Assert.False(await host.Store.BlobExistsAsync(Repository, Sha256Digest.OfBytes(data)));
        var blobs = Path.Combine(DataDirectory, "artifacts", Repository, "blobs", "sha256");
        Assert.True(!Directory.Exists(blobs) || Directory.GetFiles(blobs).Length == 0, "a blob or temp file was left behind");
    }

    [Fact]
    public async Task SubmitJob_MessageOverFourMiB_ResourceExhaustedBeforeParsing()
    {
        await using var host = await StartAsync();
        var request = new SubmitJobRequest { Spec = new JobSpec { Name = "big", Owner = new string('a', 5 * 1024 * 1024) } };

        var ex = await Assert.ThrowsAsync<RpcException>(() => host.Jobs.SubmitJobAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task PullBlob_CorruptedOnDisk_DataLossBeforeTheLastChunk()
    {
        await using var host = await StartAsync();
        var data = Bytes((2 * Chunk) + 100, seed: 3);
        var digest = (await PushAsync(host, Repository, data)).Digest;
        TestArtifacts.FlipByte(TestArtifacts.BlobPath(DataDirectory, Repository, digest), offset: Chunk + 5);

        var received = new List<byte[]>();
        var ex = await Assert.ThrowsAsync<RpcException>(() => PullAsync(host.Artifacts.PullBlob(new BlobRef { Repository = Repository, Digest = digest }), received));

        Assert.Equal(StatusCode.DataLoss, ex.StatusCode);
        Assert.Contains(digest, ex.Status.Detail);
        Assert.True(received.Sum(c => c.Length) < data.Length, "the whole corrupt blob was sent");
    }

    [Fact]
    public async Task Manifests_PushGetAndListTags_RoundTrip()
    {
        await using var host = await StartAsync();
        var config = await PushAsync(host, Repository, "{}"u8.ToArray());
        var layer = await PushAsync(host, Repository, Bytes(100, seed: 4));
        var manifest = new OciManifest(
            new MlOps.Artifacts.BlobDescriptor(OciMediaTypes.ModelConfig, config.Digest, config.Size),
            [new MlOps.Artifacts.BlobDescriptor(OciMediaTypes.OnnxModel, layer.Digest, layer.Size)]) { ArtifactType = OciMediaTypes.ModelArtifact };
        var bytes = manifest.ToJsonBytes();

        var pushed = await host.Artifacts.PushManifestAsync(new PushManifestRequest
        {
            Repository = Repository, Content = ByteString.CopyFrom(bytes), MediaType = OciMediaTypes.ImageManifest, Tag = "v1",
        });
        var byTag = await host.Artifacts.GetManifestAsync(new GetManifestRequest { Repository = Repository, Reference = "v1" });
        var byDigest = await host.Artifacts.GetManifestAsync(new GetManifestRequest { Repository = Repository, Reference = pushed.Digest });
        var tags = await host.Artifacts.ListTagsAsync(new ListTagsRequest { Repository = Repository });

        Assert.Equal(Sha256Digest.OfBytes(bytes), pushed.Digest);
        Assert.Equal(bytes, byTag.Content.ToByteArray());
        Assert.Equal(pushed.Digest, byTag.Digest);
        Assert.Equal(OciMediaTypes.ImageManifest, byDigest.MediaType);
        Assert.Equal(["v1"], tags.Tags);
    }

    [Fact]
    public async Task Requests_MissingThings_NotFound()
    {
        await using var host = await StartAsync();
        var absent = Sha256Digest.OfBytes([9]);

        var stat = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Artifacts.StatBlobAsync(new BlobRef { Repository = Repository, Digest = absent }));
        var pull = await Assert.ThrowsAsync<RpcException>(() => PullAsync(host.Artifacts.PullBlob(new BlobRef { Repository = Repository, Digest = absent })));
        var tag = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Artifacts.GetManifestAsync(new GetManifestRequest { Repository = Repository, Reference = "nope" }));

        Assert.Equal(StatusCode.NotFound, stat.StatusCode);
        Assert.Equal(StatusCode.NotFound, pull.StatusCode);
        Assert.Equal(StatusCode.NotFound, tag.StatusCode);
        Assert.Contains("nope", tag.Status.Detail);
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("models/../../etc")]
    [InlineData("Models/Upper")]
    [InlineData("/abs")]
    public async Task Requests_BadRepositoryName_InvalidArgumentNamingTheValue(string repository)
    {
        await using var host = await StartAsync();

        var push = await Assert.ThrowsAsync<RpcException>(() => PushAsync(host, repository, [1, 2, 3]));
        var tags = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Artifacts.ListTagsAsync(new ListTagsRequest { Repository = repository }));

        foreach (var ex in new[] { push, tags })
        {
            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.StartsWith("repository: ", ex.Status.Detail);
            Assert.Contains($"'{repository}'", ex.Status.Detail);
        }

        Assert.False(Directory.Exists(Path.Combine(DataDirectory, "etc")));
    }

    [Fact]
    public async Task PushBlob_BadExpectedDigestAndRepository_BothFieldsListed()
    {
        await using var host = await StartAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => PushAsync(host, "../x", [1], expectedDigest: "md5:abc"));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Contains("repository: ", ex.Status.Detail);
        Assert.Contains("; expected_digest: ", ex.Status.Detail);
    }

    private Task<CoordinatorHost> StartAsync() => CoordinatorHost.StartAsync(DataDirectory, FourPixelDataset.Write(_directory.Combine("tiny")));

    private static async Task<BlobStat> PushAsync(CoordinatorHost host, string repository, byte[] data, string expectedDigest = "")
    {
        using var call = host.Artifacts.PushBlob();
        for (var offset = 0; offset == 0 || offset < data.Length; offset += Chunk)
        {
            var chunk = new BlobChunk { Data = ByteString.CopyFrom(data, offset, Math.Min(Chunk, data.Length - offset)) };
            if (offset == 0)
            {
                chunk.Repository = repository;
                chunk.MediaType = "application/octet-stream";
                chunk.ExpectedDigest = expectedDigest;
            }

            try
            {
                await call.RequestStream.WriteAsync(chunk);
            }
            catch (RpcException)
            {
                break; // The server already answered (a refused first chunk); the status comes with the response.
            }
        }

        try
        {
            await call.RequestStream.CompleteAsync();
        }
        catch (RpcException)
        {
        }

        return await call;
    }

    private static async Task<List<byte[]>> PullAsync(AsyncServerStreamingCall<BlobChunk> call, List<byte[]>? into = null)
    {
        using (call)
        {
            var chunks = into ?? [];
            await foreach (var chunk in call.ResponseStream.ReadAllAsync())
            {
                chunks.Add(chunk.Data.ToByteArray());
            }

            return chunks;
        }
    }

    private static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
