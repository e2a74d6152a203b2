using MlOps.Agent.Jobs;
using MlOps.Artifacts;
using MlOps.Artifacts.Configuration;
using MlOps.Artifacts.Manifests;
using MlOps.Contracts;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Jobs;

public sealed class CheckpointPublisherTests : IDisposable
{
    private static readonly DateTimeOffset Created = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _temp = new("mlops-checkpoints");

    [Fact]
    public async Task PushAsync_ReportedFile_StoresOneLayerArtifactThatPullsBackByteForByte()
    {
        var store = ArtifactStoreFactory.CreateLayout(_temp.Combine("store"));
        var local = WriteCheckpoint("checkpoint-000000040.ckpt", 5000);
        var publisher = new CheckpointPublisher(store);

        var pushed = await publisher.PushAsync("j-abc", 2, local, Created, CancellationToken.None);

        Assert.Equal("checkpoints/j-abc", pushed.Repository);
        Assert.Equal(local.Digest, pushed.FileDigest);
        Assert.Equal(5000, pushed.Bytes);
        Assert.Equal((3, 7, 40L, 2), (pushed.Epoch, pushed.Step, pushed.GlobalStep, pushed.Attempt));
        Assert.Equal(Created, pushed.CreatedAt.ToDateTimeOffset());
        var manifest = OciManifest.Parse((await store.GetManifestAsync(pushed.Repository, pushed.ManifestDigest)).Bytes, "test");
        var layer = Assert.Single(manifest.Layers);
        Assert.Equal(OciMediaTypes.Checkpoint, layer.MediaType);
        Assert.Equal("j-abc", manifest.Annotations![CheckpointPublisher.JobIdAnnotation]);
        Assert.Equal("40", manifest.Annotations[CheckpointPublisher.GlobalStepAnnotation]);
        Assert.Contains("attempt-2-step-40", await store.ListTagsAsync(pushed.Repository));

        var pulled = _temp.Combine("resume", "checkpoint.ckpt");
        await publisher.PullAsync(pushed, pulled, CancellationToken.None);
        Assert.Equal(File.ReadAllBytes(local.Path), File.ReadAllBytes(pulled));
    }

    [Fact]
    public async Task PushAsync_DigestDiffersFromReport_ThrowsAndPushesNoManifest()
    {
        var store = ArtifactStoreFactory.CreateLayout(_temp.Combine("store"));
        var local = WriteCheckpoint("checkpoint-000000010.ckpt", 100);
        local.Digest = "sha256:" + new string('e', 64);

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => new CheckpointPublisher(store).PushAsync("j-abc", 1, local, Created, CancellationToken.None));

        Assert.Contains("sha256:" + new string('e', 64), ex.Message);
        Assert.Empty(await store.ListTagsAsync("checkpoints/j-abc"));
    }

    [Fact]
    public async Task PullAsync_RecordedFileDigestDiffers_ThrowsAndWritesNothing()
    {
        var store = ArtifactStoreFactory.CreateLayout(_temp.Combine("store"));
        var publisher = new CheckpointPublisher(store);
        var pushed = await publisher.PushAsync("j-abc", 1, WriteCheckpoint("c.ckpt", 100), Created, CancellationToken.None);
        pushed.FileDigest = "sha256:" + new string('f', 64);
        var target = _temp.Combine("resume", "checkpoint.ckpt");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() => publisher.PullAsync(pushed, target, CancellationToken.None));

        Assert.Contains("not the recorded", ex.Message);
        Assert.False(File.Exists(target));
    }

    public void Dispose() => _temp.Dispose();

    private LocalCheckpoint WriteCheckpoint(string name, int bytes)
    {
        var path = _temp.Combine("checkpoints", name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var content = new byte[bytes];
        new Random(bytes).NextBytes(content);
        File.WriteAllBytes(path, content);
        return new LocalCheckpoint { Path = path, Epoch = 3, Step = 7, GlobalStep = 40, Bytes = bytes, Digest = Sha256Digest.OfFile(path) };
    }
}
