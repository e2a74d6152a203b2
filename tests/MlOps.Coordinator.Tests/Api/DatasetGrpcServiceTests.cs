using Grpc.Core;
using MlOps.Contracts;
using MlOps.Coordinator.Api;
using MlOps.Coordinator.Tests.Infrastructure;
using MlOps.Coordinator.Tests.TestData;
using MlOps.Core.Datasets;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Coordinator.Tests.Api;

/// <summary>Dataset versions over a real channel: files pushed to the coordinator's store with the artifact library, then registered.</summary>
[Trait("Category", "Integration")]
public sealed class DatasetGrpcServiceTests : IDisposable
{
    private readonly TempDirectory _directory = new();

    private string DataDirectory => _directory.Combine("data");

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task CreateDatasetVersion_PushedTinyDataset_Version1WithFilesCountsTagAndCache()
    {
        await using var host = await StartAsync();
        var digest = await TestArtifacts.PushDatasetAsync(host.Store, "tiny", _directory.Combine("v1"));

        var created = await host.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = "tiny", ManifestDigest = digest });

        Assert.Equal("tiny", created.Name);
        Assert.Equal(1, created.Version);
        Assert.Equal(digest, created.Digest);
        Assert.Equal("datasets/tiny", created.Repository);
        Assert.Equal("mnist-idx", created.Format);
        Assert.Equal(20, created.TrainCount);
        Assert.Equal(10, created.TestCount);
        Assert.Equal(MnistFormat.FileNames.Order(StringComparer.Ordinal), created.Files.Select(f => f.Name));
        foreach (var file in created.Files)
        {
            var local = _directory.Combine("v1", file.Name);
            Assert.Equal(await Sha256Digest.OfFileAsync(local), file.Digest);
            Assert.Equal(new FileInfo(local).Length, file.Size);
        }

        Assert.Contains("v1", await host.Store.ListTagsAsync("datasets/tiny"));
        var cached = Path.Combine(DataDirectory, "datasets", digest["sha256:".Length..]);
        Assert.Equal(MnistFormat.FileNames.Order(StringComparer.Ordinal), Directory.GetFiles(cached).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CreateDatasetVersion_SameContentAgainThenNewContent_SameVersionThenVersion2()
    {
        await using var host = await StartAsync();
        var first = await TestArtifacts.PushDatasetAsync(host.Store, "tiny", _directory.Combine("v1"));
        var v1 = await host.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = "tiny", ManifestDigest = first });

        var again = await TestArtifacts.PushDatasetAsync(host.Store, "tiny", _directory.Combine("v1-again"));
        var repeated = await host.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = "tiny", ManifestDigest = again });
        var second = await TestArtifacts.PushDatasetAsync(host.Store, "tiny", _directory.Combine("v2"), seed: 2);
        var v2 = await host.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = "tiny", ManifestDigest = second });

        Assert.Equal(first, again);
        Assert.Equal(v1, repeated);
        Assert.Equal(2, v2.Version);
        Assert.NotEqual(first, second);
        var listed = await host.Datasets.ListDatasetsAsync(new ListDatasetsRequest { Name = "tiny" });
        Assert.Equal([1, 2], listed.Versions.Select(v => v.Version));
        Assert.Equal(v1, await host.Datasets.GetDatasetVersionAsync(new GetDatasetVersionRequest { Reference = "tiny@1" }));
        Assert.Equal(v2, await host.Datasets.GetDatasetVersionAsync(new GetDatasetVersionRequest { Reference = "tiny" }));
        Assert.Equal(v1, await host.Datasets.GetDatasetVersionAsync(new GetDatasetVersionRequest { Reference = first }));
        Assert.Equal(["upload", "v1", "v2"], (await host.Store.ListTagsAsync("datasets/tiny")).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("Tiny")]
    [InlineData("a/b")]
    public async Task CreateDatasetVersion_BadName_InvalidArgumentOnName(string name)
    {
        await using var host = await StartAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await host.Datasets.CreateDatasetVersionAsync(
            new CreateDatasetVersionRequest { Name = name, ManifestDigest = Sha256Digest.OfBytes([1]) }));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("name: ", ex.Status.Detail);
        Assert.Contains($"'{name}'", ex.Status.Detail);
        Assert.Contains("\"field\":\"name\"", ex.Trailers.GetValue(RpcErrors.FieldErrorsTrailer));
    }

    [Fact]
    public async Task CreateDatasetVersion_TruncatedFile_InvalidArgumentNamingTheFileAndNothingRecorded()
    {
        await using var host = await StartAsync();
        var bad = MnistFormat.FileNames[2];
        var digest = await TestArtifacts.PushDatasetAsync(host.Store, "tiny", _directory.Combine("bad"), damage: d => FourPixelDataset.Truncate(d, bad));

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = "tiny", ManifestDigest = digest }));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.StartsWith("manifest_digest: ", ex.Status.Detail);
        Assert.Contains($"file '{bad}'", ex.Status.Detail);
        await AssertNothingRecordedAsync(host, "tiny");
        Assert.DoesNotContain("v1", await host.Store.ListTagsAsync("datasets/tiny"));
    }

    [Fact]
    public async Task CreateDatasetVersion_CorruptBlobInStore_DataLossNamingTheFileAndNothingRecorded()
    {
        await using var host = await StartAsync();
        var digest = await TestArtifacts.PushDatasetAsync(host.Store, "tiny", _directory.Combine("v1"));
        var victim = MnistFormat.FileNames[0];
        var fileDigest = await Sha256Digest.OfFileAsync(_directory.Combine("v1", victim));
        TestArtifacts.FlipByte(TestArtifacts.BlobPath(DataDirectory, "datasets/tiny", fileDigest), offset: -3);

        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = "tiny", ManifestDigest = digest }));

        Assert.Equal(StatusCode.DataLoss, ex.StatusCode);
        Assert.Contains($"file '{victim}'", ex.Status.Detail);
        await AssertNothingRecordedAsync(host, "tiny");
    }

    [Fact]
    public async Task CreateDatasetVersion_ManifestNotPushedOrNotADataset_NotFoundOrInvalidArgument()
    {
        await using var host = await StartAsync();
        var model = await TestArtifacts.PushModelAsync(host.Store, _directory.Combine("model"), "tiny", "job-1", 0.9);
        await TestArtifacts.PushDatasetAsync(host.Store, "other", _directory.Combine("other"));

        var missing = await Assert.ThrowsAsync<RpcException>(async () => await host.Datasets.CreateDatasetVersionAsync(
            new CreateDatasetVersionRequest { Name = "other", ManifestDigest = model.ManifestDigest }));
        var badFormat = await Assert.ThrowsAsync<RpcException>(async () => await host.Datasets.CreateDatasetVersionAsync(
            new CreateDatasetVersionRequest { Name = "other", ManifestDigest = model.ManifestDigest, Format = "csv" }));

        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.Contains("datasets/other", missing.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, badFormat.StatusCode);
        Assert.StartsWith("format: ", badFormat.Status.Detail);
    }

    [Fact]
    public async Task GetDatasetVersion_UnknownVersionOrName_NotFoundListingVersions()
    {
        await using var host = await StartAsync();
        var digest = await TestArtifacts.PushDatasetAsync(host.Store, "tiny", _directory.Combine("v1"));
        await host.Datasets.CreateDatasetVersionAsync(new CreateDatasetVersionRequest { Name = "tiny", ManifestDigest = digest });

        var version = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Datasets.GetDatasetVersionAsync(new GetDatasetVersionRequest { Reference = "tiny@7" }));
        var name = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Datasets.GetDatasetVersionAsync(new GetDatasetVersionRequest { Reference = "nothing" }));
        var bad = await Assert.ThrowsAsync<RpcException>(async () =>
            await host.Datasets.GetDatasetVersionAsync(new GetDatasetVersionRequest { Reference = "../x@1" }));

        Assert.Equal(StatusCode.NotFound, version.StatusCode);
        Assert.Contains("known versions: 1", version.Status.Detail);
        Assert.Equal(StatusCode.NotFound, name.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
    }

    private Task<CoordinatorHost> StartAsync() => CoordinatorHost.StartAsync(DataDirectory, FourPixelDataset.Write(_directory.Combine("catalog")));

    private async Task AssertNothingRecordedAsync(CoordinatorHost host, string name)
    {
        Assert.Empty((await host.Datasets.ListDatasetsAsync(new ListDatasetsRequest { Name = name })).Versions);
        Assert.Empty((await host.Datasets.ListDatasetsAsync(new ListDatasetsRequest())).Versions);
        var cache = Path.Combine(DataDirectory, "datasets");
        Assert.True(!Directory.Exists(cache) || Directory.GetFileSystemEntries(cache).Length == 0, "a cached or temporary dataset directory was left behind");
    }
}
