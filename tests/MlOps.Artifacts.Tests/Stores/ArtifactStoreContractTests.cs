using System.Text;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Tests.Infrastructure;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Artifacts.Tests.Stores;

/// <summary>
/// What every <see cref="IArtifactStore"/> must do, run against both back ends (the image layout and the real
/// registry). Each test uses its own repository and random content, so tests share a store safely.
/// </summary>
public abstract partial class ArtifactStoreContractTests : IDisposable
{
    protected TempDirectory Temp { get; } = new("mlops-artifacts");

    protected abstract IArtifactStore Store { get; }

    /// <summary>The file in which the back end keeps a blob's bytes (to damage it as a bad disk would).</summary>
    protected abstract string BlobFileOnDisk(string repository, string digest);

    [Fact]
    public async Task OpenBlobAsync_AfterPush_ReturnsSameBytes()
    {
        var repository = TestData.Repository();
        var content = TestData.RandomBytes(100_000);

        var descriptor = await Store.PushBlobAsync(repository, new MemoryStream(content), OciMediaTypes.OctetStream);
        await using var stream = await Store.OpenBlobAsync(repository, descriptor.Digest);

        Assert.Equal(Sha256Digest.OfBytes(content), descriptor.Digest);
        Assert.Equal(content.Length, descriptor.Size);
        Assert.Equal(content, await TestData.ReadAllAsync(stream));
    }

    [Fact]
    public async Task BlobExistsAsync_BeforeAndAfterPush_FalseThenTrue()
    {
        var repository = TestData.Repository();
        var content = TestData.RandomBytes(1000);
        var digest = Sha256Digest.OfBytes(content);

        Assert.False(await Store.BlobExistsAsync(repository, digest));
        await Store.PushBlobAsync(repository, new MemoryStream(content), OciMediaTypes.OctetStream);
        Assert.True(await Store.BlobExistsAsync(repository, digest));
    }

    [Fact]
    public async Task PushBlobAsync_SameContentTwice_SameDescriptorAndReadable()
    {
        var repository = TestData.Repository();
        var content = TestData.RandomBytes(5000);

        var first = await Store.PushBlobAsync(repository, new MemoryStream(content), OciMediaTypes.OctetStream);
        var second = await Store.PushBlobAsync(repository, new MemoryStream(content), OciMediaTypes.OctetStream);
        await using var stream = await Store.OpenBlobAsync(repository, second.Digest);

        Assert.Equal(first, second);
        Assert.Equal(content, await TestData.ReadAllAsync(stream));
    }

    [Fact]
    public async Task PushBlobAsync_EightConcurrentPushesOfSameBlob_AllSucceedWithOneGoodBlob()
    {
        var repository = TestData.Repository();
        var content = TestData.RandomBytes(1 << 20);

        var pushes = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            Task.Run(() => Store.PushBlobAsync(repository, new MemoryStream(content), OciMediaTypes.OctetStream))));
        await using var stream = await Store.OpenBlobAsync(repository, pushes[0].Digest);

        Assert.All(pushes, p => Assert.Equal(pushes[0], p));
        Assert.Equal(content, await TestData.ReadAllAsync(stream));
        Assert.Equal(content.Length, new FileInfo(BlobFileOnDisk(repository, pushes[0].Digest)).Length);
    }

    [Fact]
    public async Task PushManifestAsync_BlobMissing_ThrowsNotFoundAndCreatesNoTag()
    {
        var repository = TestData.Repository();
        var config = await Store.PushBlobAsync(repository, new MemoryStream("{}"u8.ToArray()), "application/vnd.test.config.v1+json");
        var missing = new BlobDescriptor("application/vnd.test.layer", Sha256Digest.OfBytes(TestData.RandomBytes(10)), 10);
        var manifest = new OciManifest(config, [missing]) { ArtifactType = "application/vnd.test.v1" };

        var error = await Assert.ThrowsAsync<ArtifactNotFoundException>(() =>
            Store.PushManifestAsync(repository, manifest.ToJsonBytes(), OciMediaTypes.ImageManifest, "v1"));

        Assert.Contains(missing.Digest, error.Message);
        Assert.Empty(await Store.ListTagsAsync(repository));
    }

    [Fact]
    public async Task GetManifestAsync_ByTagAndByDigest_ReturnsPushedBytes()
    {
        var repository = TestData.Repository();
        var manifest = await PushSampleManifestAsync(repository);

        var digest = await Store.PushManifestAsync(repository, manifest, OciMediaTypes.ImageManifest, "v1");
        var byTag = await Store.GetManifestAsync(repository, "v1");
        var byDigest = await Store.GetManifestAsync(repository, digest);

        Assert.Equal(Sha256Digest.OfBytes(manifest), digest);
        Assert.Equal(manifest, byTag.Bytes);
        Assert.Equal(digest, byTag.Digest);
        Assert.Equal(OciMediaTypes.ImageManifest, byTag.MediaType);
        Assert.Equal(manifest, byDigest.Bytes);
    }

    [Fact]
    public async Task ListTagsAsync_TwoTags_ListsBothSorted()
    {
        var repository = TestData.Repository();
        var manifest = await PushSampleManifestAsync(repository);

        await Store.PushManifestAsync(repository, manifest, OciMediaTypes.ImageManifest, "v2");
        await Store.PushManifestAsync(repository, manifest, OciMediaTypes.ImageManifest, "latest");

        Assert.Equal(["latest", "v2"], await Store.ListTagsAsync(repository));
    }

    [Fact]
    public async Task ListTagsAsync_UnknownRepository_ReturnsEmpty() =>
        Assert.Empty(await Store.ListTagsAsync(TestData.Repository()));

    [Fact]
    public async Task PushManifestAsync_ExistingTag_MovesTagToNewManifest()
    {
        var repository = TestData.Repository();
        var first = await PushSampleManifestAsync(repository);
        var second = await PushSampleManifestAsync(repository);

        await Store.PushManifestAsync(repository, first, OciMediaTypes.ImageManifest, "latest");
        var secondDigest = await Store.PushManifestAsync(repository, second, OciMediaTypes.ImageManifest, "latest");

        Assert.Equal(secondDigest, (await Store.GetManifestAsync(repository, "latest")).Digest);
        Assert.Equal(first, (await Store.GetManifestAsync(repository, Sha256Digest.OfBytes(first))).Bytes);
        Assert.Equal(["latest"], await Store.ListTagsAsync(repository));
    }

    [Fact]
    public async Task GetManifestAsync_UnknownTag_ThrowsNotFound()
    {
        var repository = TestData.Repository();
        await Store.PushManifestAsync(repository, await PushSampleManifestAsync(repository), OciMediaTypes.ImageManifest, "v1");

        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.GetManifestAsync(repository, "nope"));
    }

    [Fact]
    public async Task OpenBlobAsync_UnknownDigest_ThrowsNotFound()
    {
        var repository = TestData.Repository();
        await Store.PushBlobAsync(repository, new MemoryStream(TestData.RandomBytes(10)), OciMediaTypes.OctetStream);

        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => Store.OpenBlobAsync(repository, Sha256Digest.OfBytes(TestData.RandomBytes(10))));
    }

    [Fact]
    public async Task PushManifestAsync_NotJson_ThrowsInvalid()
    {
        var repository = TestData.Repository();

        await Assert.ThrowsAsync<ArtifactInvalidException>(() =>
            Store.PushManifestAsync(repository, Encoding.UTF8.GetBytes("not a manifest"), OciMediaTypes.ImageManifest, "v1"));
    }

    /// <summary>Pushes a config and a layer and returns the bytes of a manifest naming them (not yet pushed).</summary>
    protected async Task<byte[]> PushSampleManifestAsync(string repository)
    {
        var config = await Store.PushBlobAsync(repository, new MemoryStream(Encoding.UTF8.GetBytes($"{{\"n\":\"{Guid.NewGuid()}\"}}")),
            "application/vnd.test.config.v1+json");
        var layer = await Store.PushBlobAsync(repository, new MemoryStream(TestData.RandomBytes(300)), "application/vnd.test.layer");
        return new OciManifest(config, [layer]) { ArtifactType = "application/vnd.test.v1" }.ToJsonBytes();
    }

    public void Dispose()
    {
        DisposeStore();
        Temp.Dispose();
        GC.SuppressFinalize(this);
    }

    protected virtual void DisposeStore()
    {
    }
}
