using System.Diagnostics;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Tests.Infrastructure;
using MlOps.Testing;

namespace MlOps.Artifacts.Tests.Registry;

/// <summary>Nobody listening, or no such host: a quick <see cref="ArtifactStoreUnavailableException"/> naming the URL.</summary>
public sealed class UnreachableRegistryTests
{
    [Fact]
    public async Task PushBlobAsync_NothingListening_ThrowsUnavailableQuicklyNamingUrl()
    {
        var url = $"http://127.0.0.1:{FreePort.Next()}";
        using var store = Registries.Client(url);
        var watch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ArtifactStoreUnavailableException>(() =>
            store.PushBlobAsync("models/x", new MemoryStream([1, 2, 3]), OciMediaTypes.OctetStream));

        Assert.Contains(url, error.Message);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"took {watch.Elapsed}");
    }

    [Fact]
    public async Task GetManifestAsync_UnknownHost_ThrowsUnavailable()
    {
        using var store = Registries.Client("http://registry.mlops-test.invalid:5000", connectTimeout: TimeSpan.FromSeconds(3));

        var error = await Assert.ThrowsAsync<ArtifactStoreUnavailableException>(() => store.GetManifestAsync("models/x", "v1"));

        Assert.Contains("registry.mlops-test.invalid", error.Message);
    }
}
