using System.Text.Json.Nodes;
using MlOps.Artifacts.Layout;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Tests.Infrastructure;
using MlOps.Testing;

namespace MlOps.Artifacts.Tests.Layout;

/// <summary>What only the image-layout back end does: the files on disk, the index lock, atomic writes.</summary>
public sealed class OciLayoutStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-layout");

    private string Root => _temp.Combine("store");

    [Fact]
    public async Task PushManifestAsync_WithTag_WritesImageLayoutWithRefNameAnnotation()
    {
        var store = new OciLayoutStore(Root);
        var manifest = await PushSampleAsync(store, "models/mlp");

        var digest = await store.PushManifestAsync("models/mlp", manifest, OciMediaTypes.ImageManifest, "v1");

        var directory = Path.Combine(Root, "models", "mlp");
        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", await File.ReadAllTextAsync(Path.Combine(directory, "oci-layout")));
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(directory, "index.json")))!;
        Assert.Equal(2, index["schemaVersion"]!.GetValue<int>());
        var entry = Assert.Single(index["manifests"]!.AsArray())!;
        Assert.Equal(digest, entry["digest"]!.GetValue<string>());
        Assert.Equal("v1", entry["annotations"]![OciAnnotations.RefName]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(directory, "blobs", "sha256", digest["sha256:".Length..])));
    }

    [Fact]
    public async Task PushManifestAsync_TagMoved_OldManifestStaysAsUntaggedEntry()
    {
        var store = new OciLayoutStore(Root);
        var first = await store.PushManifestAsync("a", await PushSampleAsync(store, "a"), OciMediaTypes.ImageManifest, "latest");
        var second = await store.PushManifestAsync("a", await PushSampleAsync(store, "a"), OciMediaTypes.ImageManifest, "latest");

        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(Root, "a", "index.json")))!["manifests"]!.AsArray();

        Assert.Equal(2, index.Count);
        Assert.Contains(index, e => e!["digest"]!.GetValue<string>() == first && e["annotations"] is null);
        Assert.Contains(index, e => e!["digest"]!.GetValue<string>() == second && e["annotations"] is not null);
    }

    [Fact]
    public async Task PushManifestAsync_TwoStoresRelyingOnFileLockOnly_NoTagLost()
    {
        // Two instances without the in-process semaphore stand for two processes sharing the directory.
        var one = new OciLayoutStore(Root, useProcessLock: false);
        var two = new OciLayoutStore(Root, useProcessLock: false);
        var manifest = await PushSampleAsync(one, "shared");

        await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            (i % 2 == 0 ? one : two).PushManifestAsync("shared", manifest, OciMediaTypes.ImageManifest, $"t{i}"))));

        Assert.Equal(40, (await one.ListTagsAsync("shared")).Count);
    }

    [Fact]
    public async Task PushBlobAsync_StreamFailsMidway_LeavesNoFileBehind()
    {
        var store = new OciLayoutStore(Root);
        await store.PushBlobAsync("r", new MemoryStream([1]), OciMediaTypes.OctetStream);
        var blobs = Path.Combine(Root, "r", "blobs", "sha256");
        var before = Directory.GetFiles(blobs);

        await Assert.ThrowsAsync<IOException>(() => store.PushBlobAsync("r", new FailingStream(3_000_000), OciMediaTypes.OctetStream));

        Assert.Equal(before, Directory.GetFiles(blobs));
    }

    [Fact]
    public async Task PushBlobAsync_AfterCorruption_RepairsBlob()
    {
        var store = new OciLayoutStore(Root);
        var content = TestData.RandomBytes(10_000);
        var descriptor = await store.PushBlobAsync("r", new MemoryStream(content), OciMediaTypes.OctetStream);
        TestData.FlipByte(store.BlobPath("r", descriptor.Digest));

        await store.PushBlobAsync("r", new MemoryStream(content), OciMediaTypes.OctetStream);
        await using var stream = await store.OpenBlobAsync("r", descriptor.Digest);

        Assert.Equal(content, await TestData.ReadAllAsync(stream));
    }

    [Fact]
    public async Task GetManifestAsync_IndexJsonDamaged_ThrowsCorrupt()
    {
        var store = new OciLayoutStore(Root);
        await store.PushManifestAsync("r", await PushSampleAsync(store, "r"), OciMediaTypes.ImageManifest, "v1");
        await File.WriteAllTextAsync(Path.Combine(Root, "r", "index.json"), "{\"manifests\": [");

        await Assert.ThrowsAsync<ArtifactCorruptException>(() => store.GetManifestAsync("r", "v1"));
    }

    [Fact]
    public async Task GetManifestAsync_DigestOfPlainBlob_ThrowsNotFound()
    {
        var store = new OciLayoutStore(Root);
        var blob = await store.PushBlobAsync("r", new MemoryStream(TestData.RandomBytes(100)), OciMediaTypes.OctetStream);

        await Assert.ThrowsAsync<ArtifactNotFoundException>(() => store.GetManifestAsync("r", blob.Digest));
    }

    [Fact]
    public async Task PushManifestAsync_MediaTypeDisagreesWithBody_ThrowsInvalid()
    {
        var store = new OciLayoutStore(Root);
        var manifest = await PushSampleAsync(store, "r");

        await Assert.ThrowsAsync<ArtifactInvalidException>(() => store.PushManifestAsync("r", manifest, OciMediaTypes.ImageIndex, "v1"));
    }

    private static async Task<byte[]> PushSampleAsync(IArtifactStore store, string repository)
    {
        var config = await store.PushBlobAsync(repository, new MemoryStream(TestData.RandomBytes(50)), "application/vnd.test.config.v1+json");
        var layer = await store.PushBlobAsync(repository, new MemoryStream(TestData.RandomBytes(50)), "application/vnd.test.layer");
        return new OciManifest(config, [layer]).ToJsonBytes();
    }

    public void Dispose() => _temp.Dispose();

    /// <summary>Yields some bytes, then fails as a broken network stream would.</summary>
    private sealed class FailingStream(int failAfter) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= failAfter)
            {
                throw new IOException("connection reset while reading the source");
            }

            var n = Math.Min(count, failAfter - _position);
            Array.Fill(buffer, (byte)7, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
