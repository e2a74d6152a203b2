using MlOps.Artifacts.Datasets;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Models;
using MlOps.Artifacts.Packaging;
using MlOps.Artifacts.Tests.Infrastructure;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Artifacts.Tests.Stores;

/// <summary>Bad input, damaged storage, and the model and dataset artifacts over the same store.</summary>
public abstract partial class ArtifactStoreContractTests
{
    public static TheoryData<string> InvalidRepositories => ["../x", "Models/X", "a//b", "/abs", "a/../b", "", "a/", "x/.."];

    [Theory]
    [MemberData(nameof(InvalidRepositories))]
    public async Task Operations_InvalidRepositoryName_ThrowArgumentExceptionNamingIt(string repository)
    {
        var digest = Sha256Digest.OfBytes([1]);

        var errors = new[]
        {
            await Assert.ThrowsAsync<ArgumentException>(() => Store.PushBlobAsync(repository, new MemoryStream([1]), OciMediaTypes.OctetStream)),
            await Assert.ThrowsAsync<ArgumentException>(() => Store.BlobExistsAsync(repository, digest)),
            await Assert.ThrowsAsync<ArgumentException>(() => Store.OpenBlobAsync(repository, digest)),
            await Assert.ThrowsAsync<ArgumentException>(() => Store.GetManifestAsync(repository, "v1")),
            await Assert.ThrowsAsync<ArgumentException>(() => Store.ListTagsAsync(repository)),
        };

        Assert.All(errors, e => Assert.Contains($"'{repository}'", e.Message));
    }

    [Theory]
    [InlineData("../v1")]
    [InlineData("-v1")]
    [InlineData("sha256:xyz")]
    public async Task GetManifestAsync_InvalidReference_ThrowsArgumentException(string reference) =>
        await Assert.ThrowsAsync<ArgumentException>(() => Store.GetManifestAsync(TestData.Repository(), reference));

    [Fact]
    public async Task OpenBlobAsync_ByteFlippedInStorage_ThrowsCorruptAtEnd()
    {
        var repository = TestData.Repository();
        var descriptor = await Store.PushBlobAsync(repository, new MemoryStream(TestData.RandomBytes(200_000)), OciMediaTypes.OctetStream);
        TestData.FlipByte(BlobFileOnDisk(repository, descriptor.Digest));

        await using var stream = await Store.OpenBlobAsync(repository, descriptor.Digest);
        var error = await Assert.ThrowsAsync<ArtifactCorruptException>(() => TestData.ReadAllAsync(stream));

        Assert.Contains(descriptor.Digest, error.Message);
    }

    [Fact]
    public async Task OpenBlobAsync_TruncatedInStorage_ThrowsCorrupt()
    {
        var repository = TestData.Repository();
        var descriptor = await Store.PushBlobAsync(repository, new MemoryStream(TestData.RandomBytes(200_000)), OciMediaTypes.OctetStream);
        TinyMnistDataset.Truncate(BlobFileOnDisk(repository, descriptor.Digest));

        var error = await Assert.ThrowsAsync<ArtifactCorruptException>(async () =>
        {
            await using var stream = await Store.OpenBlobAsync(repository, descriptor.Digest);
            await TestData.ReadAllAsync(stream);
        });

        Assert.Contains(descriptor.Digest, error.Message);
    }

    [Fact]
    public async Task DownloadBlobAsync_CorruptBlob_ThrowsAndLeavesNoFile()
    {
        var repository = TestData.Repository();
        var descriptor = await Store.PushBlobAsync(repository, new MemoryStream(TestData.RandomBytes(50_000)), OciMediaTypes.OctetStream);
        TestData.FlipByte(BlobFileOnDisk(repository, descriptor.Digest));
        var target = Temp.Combine("out", "blob.bin");

        await Assert.ThrowsAsync<ArtifactCorruptException>(() => Store.DownloadBlobAsync(repository, descriptor, target));

        Assert.Empty(Directory.GetFiles(Temp.Combine("out")));
    }

    [Fact]
    public async Task PullModelAsync_AfterPushModel_WritesVerifiedFilesAndConfig()
    {
        var repository = TestData.Repository("models");
        var onnx = TestData.WriteFile(Temp.Path, "exported.onnx", TestData.RandomBytes(40_000));
        var checkpoint = TestData.WriteFile(Temp.Path, "checkpoint.dat", TestData.RandomBytes(20_000));
        var log = TestData.WriteFile(Temp.Path, "train.log", "epoch 1 loss 0.5\nepoch 2 loss 0.4\n");

        var digest = await Store.PushModelAsync(repository, "v3", SampleModel.Config(), onnx,
            [ArtifactLayer.Checkpoint(checkpoint), ArtifactLayer.TrainingLog(log)]);
        var pulled = await Store.PullModelAsync(repository, "v3", Temp.Combine("pulled"));

        Assert.Equal(digest, pulled.ManifestDigest);
        Assert.Equal(await File.ReadAllBytesAsync(onnx), await File.ReadAllBytesAsync(pulled.OnnxPath));
        Assert.Equal(Path.Combine(pulled.Directory, ModelArtifact.OnnxFileName), pulled.OnnxPath);
        Assert.Equal(["checkpoint.dat", "train.log"], pulled.ExtraFiles.Select(Path.GetFileName));
        Assert.Equal(await File.ReadAllBytesAsync(checkpoint), await File.ReadAllBytesAsync(pulled.ExtraFiles[0]));
        Assert.Equal(await Sha256Digest.OfFileAsync(onnx), pulled.Config.Lineage.OnnxDigest);
        Assert.Equal(0.898, pulled.Config.Metrics["test_accuracy"]);
        Assert.Equal([-1L, 784], pulled.Config.Signature.Inputs[0].Shape);
        Assert.True(File.Exists(Path.Combine(pulled.Directory, ModelArtifact.ConfigFileName)));
        Assert.Equal(digest, Sha256Digest.OfFile(Path.Combine(pulled.Directory, ModelArtifact.ManifestFileName)));
    }

    [Fact]
    public async Task PullModelAsync_OnnxLayerCorrupt_ThrowsCorruptAndWritesNoDirectory()
    {
        var repository = TestData.Repository("models");
        var onnx = TestData.WriteFile(Temp.Path, "model.onnx", TestData.RandomBytes(30_000));
        await Store.PushModelAsync(repository, "v1", SampleModel.Config(), onnx);
        TestData.FlipByte(BlobFileOnDisk(repository, await Sha256Digest.OfFileAsync(onnx)));

        await Assert.ThrowsAsync<ArtifactCorruptException>(() => Store.PullModelAsync(repository, "v1", Temp.Combine("pulled")));

        Assert.False(Directory.Exists(Temp.Combine("pulled")));
        Assert.Empty(Directory.GetFileSystemEntries(Temp.Path, ".tmp-*"));
    }

    [Fact]
    public async Task PullDatasetAsync_AfterPushDataset_SameFilesAndVersionDigest()
    {
        var repository = TestData.Repository("datasets");
        TinyMnistDataset.Write(Temp.Combine("mnist"), trainCount: 50, testCount: 10);
        var files = Directory.GetFiles(Temp.Combine("mnist"));

        var version = await Store.PushDatasetAsync(repository, "1", "tiny-mnist", files, version: "1");
        var again = await Store.PushDatasetAsync(repository, "1", "tiny-mnist", files.Reverse().ToList(), version: "1");
        var pulled = await Store.PullDatasetAsync(repository, "1", Temp.Combine("pulled"));

        Assert.Equal(version, again);
        Assert.Equal(version, pulled.VersionDigest);
        Assert.Equal(files.Select(Path.GetFileName).Order(StringComparer.Ordinal), pulled.Config.Files.Select(f => f.Name));
        foreach (var file in files)
        {
            Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(pulled.Directory, Path.GetFileName(file))));
        }
    }

    [Fact]
    public async Task PullModelAsync_DatasetReference_ThrowsInvalid()
    {
        var repository = TestData.Repository("datasets");
        var file = TestData.WriteFile(Temp.Path, "data.csv", "a,b\n1,2\n");
        await Store.PushDatasetAsync(repository, "1", "csv", [file]);

        await Assert.ThrowsAsync<ArtifactInvalidException>(() => Store.PullModelAsync(repository, "1", Temp.Combine("pulled")));
    }
}
