using MlOps.Agent.Jobs;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Agent.Tests.Jobs;

public sealed class LocalArtifactStoreTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-artifacts");

    [Fact]
    public async Task AddAsync_MatchingDigest_MovesFileUnderItsDigest()
    {
        var source = _temp.Combine("model.dat");
        await File.WriteAllTextAsync(source, "weights");
        var digest = Sha256Digest.OfFile(source);

        var stored = await new LocalArtifactStore(_temp.Combine("store")).AddAsync(source, digest, CancellationToken.None);

        Assert.Equal(_temp.Combine("store", "blobs", "sha256", digest["sha256:".Length..]), stored);
        Assert.False(File.Exists(source));
        Assert.Equal(digest, Sha256Digest.OfFile(stored));
    }

    [Fact]
    public async Task AddAsync_WrongDigest_RefusesAndKeepsSource()
    {
        var source = _temp.Combine("model.dat");
        await File.WriteAllTextAsync(source, "weights");

        var ex = await Assert.ThrowsAsync<InvalidDataException>(() =>
            new LocalArtifactStore(_temp.Combine("store")).AddAsync(source, "sha256:" + new string('1', 64), CancellationToken.None));

        Assert.Contains("model.dat", ex.Message);
        Assert.True(File.Exists(source));
    }

    [Fact]
    public async Task AddAsync_SameContentTwice_KeepsOneCopy()
    {
        var store = new LocalArtifactStore(_temp.Combine("store"));
        var first = _temp.Combine("a.dat");
        var second = _temp.Combine("b.dat");
        await File.WriteAllTextAsync(first, "same");
        await File.WriteAllTextAsync(second, "same");
        var digest = Sha256Digest.OfFile(first);

        var a = await store.AddAsync(first, digest, CancellationToken.None);
        var b = await store.AddAsync(second, digest, CancellationToken.None);

        Assert.Equal(a, b);
        Assert.Single(Directory.GetFiles(_temp.Combine("store", "blobs", "sha256")));
    }

    public void Dispose() => _temp.Dispose();
}
