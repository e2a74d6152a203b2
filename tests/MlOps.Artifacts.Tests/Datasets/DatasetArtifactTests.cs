using MlOps.Artifacts.Datasets;
using MlOps.Artifacts.Layout;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Models;
using MlOps.Artifacts.Tests.Infrastructure;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Artifacts.Tests.Datasets;

/// <summary>The dataset artifact format, checked on the image-layout store (the contract suite covers the registry).</summary>
public sealed class DatasetArtifactTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-dataset");
    private readonly OciLayoutStore _store;

    public DatasetArtifactTests() => _store = new OciLayoutStore(_temp.Combine("store"));

    [Fact]
    public async Task PushDatasetAsync_Files_OneTitledLayerEachAndConfigListingDigestsSorted()
    {
        var b = TestData.WriteFile(_temp.Path, "b.csv", "2");
        var a = TestData.WriteFile(_temp.Path, "a.csv", "11");

        var digest = await _store.PushDatasetAsync("datasets/toy", "1", "toy", [b, a], version: "1", description: "two files");
        var pulled = await _store.PullDatasetAsync("datasets/toy", digest, _temp.Combine("pulled"));
        var manifest = OciManifest.Parse((await _store.GetManifestAsync("datasets/toy", "1")).Bytes, "test");

        Assert.Equal(OciMediaTypes.DatasetArtifact, manifest.ArtifactType);
        Assert.Equal(["a.csv", "b.csv"], manifest.Layers.Select(l => l.Annotations![OciAnnotations.Title]));
        Assert.All(manifest.Layers, l => Assert.Equal(OciMediaTypes.DatasetFile, l.MediaType));
        Assert.Equal(
            [new DatasetFile("a.csv", Sha256Digest.OfFile(a), 2), new DatasetFile("b.csv", Sha256Digest.OfFile(b), 1)],
            pulled.Config.Files);
        Assert.Equal("toy", pulled.Config.Name);
        Assert.Equal("1", manifest.Annotations![OciAnnotations.Version]);
        Assert.True(File.Exists(Path.Combine(pulled.Directory, DatasetArtifact.ConfigFileName)));
    }

    [Fact]
    public async Task PullDatasetAsync_ConfigListsNullFile_InvalidNotNullReference()
    {
        // "files": [null] deserialized, and matching it against the layers threw NullReferenceException.
        var config = """{"schemaVersion":1,"name":"toy","files":[null]}"""u8.ToArray();
        var manifest = new OciManifest(new BlobDescriptor(OciMediaTypes.DatasetConfig, Sha256Digest.OfBytes(config), config.Length), [])
        {
            ArtifactType = OciMediaTypes.DatasetArtifact,
        }.ToJsonBytes();
        var store = new ReplayArtifactStore(manifest, config);

        var error = await Assert.ThrowsAsync<ArtifactInvalidException>(() =>
            store.PullDatasetAsync("datasets/toy", Sha256Digest.OfBytes(manifest), _temp.Combine("pulled")));

        Assert.Contains("null entry", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("pulled")));
    }

    [Fact]
    public async Task PushDatasetAsync_ChangedFile_NewVersionDigest()
    {
        var file = TestData.WriteFile(_temp.Path, "data.csv", "1");
        var first = await _store.PushDatasetAsync("datasets/toy", "1", "toy", [file]);
        await File.WriteAllTextAsync(file, "2");

        var second = await _store.PushDatasetAsync("datasets/toy", "2", "toy", [file]);

        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task PushDatasetAsync_ReservedFileName_Throws()
    {
        var file = TestData.WriteFile(_temp.Path, DatasetArtifact.ConfigFileName, "{}");

        await Assert.ThrowsAsync<ArgumentException>(() => _store.PushDatasetAsync("datasets/toy", "1", "toy", [file]));
    }

    [Fact]
    public async Task PushDatasetAsync_SameFileNameTwice_Throws()
    {
        Directory.CreateDirectory(_temp.Combine("x"));
        var one = TestData.WriteFile(_temp.Path, "data.csv", "1");
        var two = TestData.WriteFile(_temp.Combine("x"), "data.csv", "2");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _store.PushDatasetAsync("datasets/toy", "1", "toy", [one, two]));

        Assert.Contains("twice", error.Message);
    }

    [Fact]
    public async Task PushDatasetAsync_NoFiles_Throws() =>
        await Assert.ThrowsAsync<ArgumentException>(() => _store.PushDatasetAsync("datasets/toy", "1", "toy", []));

    [Fact]
    public async Task PullDatasetAsync_ModelReference_ThrowsInvalid()
    {
        var onnx = TestData.WriteFile(_temp.Path, "m.onnx", TestData.RandomBytes(100));
        await _store.PushModelAsync("models/m", "v1", SampleModel.Config(), onnx);

        await Assert.ThrowsAsync<ArtifactInvalidException>(() => _store.PullDatasetAsync("models/m", "v1", _temp.Combine("pulled")));
    }

    public void Dispose() => _temp.Dispose();
}
