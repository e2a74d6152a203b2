using System.Text;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Tests.Infrastructure;
using MlOps.Core.Digests;

namespace MlOps.Artifacts.Tests.Registry;

/// <summary>What only the registry back end does: chunked uploads, cross-repository mounts, the registry's own errors.</summary>
[Trait("Category", "Integration")]
public sealed class OciRegistryStoreTests(RegistryFixture registry) : IClassFixture<RegistryFixture>
{
    private const int ChunkSize = 64 * 1024;

    [Fact]
    public async Task PushBlobAsync_SeveralChunksLong_UploadsInPatchChunksAndReadsBack()
    {
        var log = new RequestLog();
        using var store = Registries.Client(registry.Server.Url, chunkSize: ChunkSize, log: log);
        var repository = TestData.Repository();
        var content = TestData.RandomBytes((4 * ChunkSize) + 1234);

        var descriptor = await store.PushBlobAsync(repository, new MemoryStream(content), OciMediaTypes.OctetStream);
        await using var stream = await store.OpenBlobAsync(repository, descriptor.Digest);

        Assert.Equal(Sha256Digest.OfBytes(content), descriptor.Digest);
        Assert.Equal(content.Length, descriptor.Size);
        Assert.Equal(5, log.Count("PATCH"));
        Assert.Equal(1, log.Count("PUT"));
        Assert.Equal(content, await TestData.ReadAllAsync(stream));
    }

    [Fact]
    public async Task PushBlobAsync_FourConcurrentChunkedPushesOfSameBlob_AllSucceedWithOneGoodBlob()
    {
        using var store = Registries.Client(registry.Server.Url, chunkSize: ChunkSize);
        var repository = TestData.Repository();
        var content = TestData.RandomBytes((3 * ChunkSize) + 7);

        var pushes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => store.PushBlobAsync(repository, new MemoryStream(content), OciMediaTypes.OctetStream))));
        await using var stream = await store.OpenBlobAsync(repository, pushes[0].Digest);

        Assert.All(pushes, p => Assert.Equal(pushes[0], p));
        Assert.Equal(content, await TestData.ReadAllAsync(stream));
    }

    [Fact]
    public async Task PushBlobAsync_SmallerThanChunk_OnePostAndOnePutWithBody()
    {
        var log = new RequestLog();
        using var store = Registries.Client(registry.Server.Url, chunkSize: ChunkSize, log: log);
        var content = TestData.RandomBytes(ChunkSize - 1);

        await store.PushBlobAsync(TestData.Repository(), new MemoryStream(content), OciMediaTypes.OctetStream);

        Assert.Equal(0, log.Count("PATCH"));
        Assert.Equal(1, log.Count("POST"));
        Assert.Equal(1, log.Count("PUT"));
    }

    [Fact]
    public async Task PushBlobAsync_AlreadyPresentSmallBlob_SendsNoUpload()
    {
        var log = new RequestLog();
        using var store = Registries.Client(registry.Server.Url, log: log);
        var repository = TestData.Repository();
        var content = TestData.RandomBytes(1000);
        await store.PushBlobAsync(repository, new MemoryStream(content), OciMediaTypes.OctetStream);
        log.Requests.Clear();

        await store.PushBlobAsync(repository, new MemoryStream(content), OciMediaTypes.OctetStream);

        Assert.Equal(["HEAD"], log.Requests.Select(r => r.Split(' ')[0]));
    }

    [Fact]
    public async Task MountBlobAsync_BlobInOtherRepository_LinksItWithoutUpload()
    {
        var log = new RequestLog();
        using var store = Registries.Client(registry.Server.Url, log: log);
        var source = TestData.Repository();
        var target = TestData.Repository();
        var content = TestData.RandomBytes(10_000);
        var descriptor = await store.PushBlobAsync(source, new MemoryStream(content), OciMediaTypes.OctetStream);
        log.Requests.Clear();

        var mounted = await store.MountBlobAsync(target, descriptor.Digest, source);
        await using var stream = await store.OpenBlobAsync(target, descriptor.Digest);

        Assert.True(mounted);
        Assert.Equal(0, log.Count("PUT") + log.Count("PATCH"));
        Assert.Equal(content, await TestData.ReadAllAsync(stream));
    }

    [Fact]
    public async Task MountBlobAsync_SourceLacksBlob_ReturnsFalse()
    {
        using var store = Registries.Client(registry.Server.Url);
        var digest = Sha256Digest.OfBytes(TestData.RandomBytes(100));

        Assert.False(await store.MountBlobAsync(TestData.Repository(), digest, TestData.Repository()));
    }

    [Fact]
    public async Task PushManifestAsync_BlobMissing_MessageCarriesRegistryErrorCode()
    {
        using var store = Registries.Client(registry.Server.Url);
        var repository = TestData.Repository();
        var config = await store.PushBlobAsync(repository, new MemoryStream(Encoding.UTF8.GetBytes("{}")), "application/vnd.test.config.v1+json");
        var missing = new BlobDescriptor("application/vnd.test.layer", Sha256Digest.OfBytes(TestData.RandomBytes(10)), 10);

        var error = await Assert.ThrowsAsync<ArtifactNotFoundException>(() =>
            store.PushManifestAsync(repository, new OciManifest(config, [missing]).ToJsonBytes(), OciMediaTypes.ImageManifest, "v1"));

        Assert.Contains("MANIFEST_BLOB_UNKNOWN", error.Message);
        Assert.Contains(registry.Server.Url, error.Message);
    }

    [Fact]
    public async Task PingAsync_RunningRegistry_Succeeds()
    {
        using var store = Registries.Client(registry.Server.Url);

        await store.PingAsync();
    }
}
