using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol;
using MlOps.Serving.Tests.Hosting.Support;
using MlOps.Testing;

namespace MlOps.Serving.Tests.Hosting.Repository;

public sealed class ModelRepositoryRoutingTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("serving-routing");
    private readonly ModelRepository _repository = new();

    public async Task InitializeAsync()
    {
        foreach (var version in new[] { "1", "2" })
        {
            var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp(), seed: int.Parse(version, System.Globalization.CultureInfo.InvariantCulture)),
                _directory.Combine($"v{version}.onnx"));
            await _repository.LoadVersionAsync("m", version, path, digest);
        }
    }

    public async Task DisposeAsync()
    {
        await _repository.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public void TryGet_NoRoutes_NewestReadyVersion()
    {
        Assert.True(_repository.TryGet("m", null, out var model));
        Assert.Equal("2", model.Descriptor.Version);
    }

    [Fact]
    public void TryGet_CanaryRoutes_UnversionedRequestsFollowTheSplit()
    {
        _repository.SetRoutes("m", [KeyValuePair.Create("1", 80), KeyValuePair.Create("2", 20)]);

        var versions = Enumerable.Range(0, 1_000).Select(_ => _repository.TryGet("m", null, out var model) ? model.Descriptor.Version : "none").ToList();

        Assert.Equal(800, versions.Count(v => v == "1"));
        Assert.Equal(200, versions.Count(v => v == "2"));
        Assert.True(_repository.TryGet("m", "2", out var pinned));
        Assert.Equal("2", pinned.Descriptor.Version);
    }

    [Fact]
    public void TryGetPrimary_Canary_StableVersionAndTheSplitKeepsItsShares()
    {
        _repository.SetRoutes("m", [KeyValuePair.Create("1", 90), KeyValuePair.Create("2", 10)]);

        var versions = new List<string>();
        for (var i = 0; i < 1_000; i++)
        {
            Assert.True(_repository.TryGetPrimary("m", out var primary));
            Assert.Equal("1", primary.Descriptor.Version);
            Assert.True(_repository.TryGet("m", null, out var routed));
            versions.Add(routed.Descriptor.Version);
        }

        Assert.Equal(100, versions.Count(v => v == "2"));
    }

    [Fact]
    public void SetRoutes_SameWeightsAgain_SequenceContinues()
    {
        _repository.SetRoutes("m", [KeyValuePair.Create("1", 50), KeyValuePair.Create("2", 50)]);
        var versions = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            _repository.SetRoutes("m", [KeyValuePair.Create("1", 50), KeyValuePair.Create("2", 50)]);
            Assert.True(_repository.TryGet("m", null, out var routed));
            versions.Add(routed.Descriptor.Version);
        }

        Assert.Equal(50, versions.Count(v => v == "2"));
    }

    [Fact]
    public async Task TryGet_RoutedVersionUnloaded_FallsBackToAnotherRoutedVersion()
    {
        _repository.SetRoutes("m", [KeyValuePair.Create("1", 50), KeyValuePair.Create("2", 50)]);

        await _repository.UnloadVersionAsync("m", "2");

        Assert.All(Enumerable.Range(0, 10), _ =>
        {
            Assert.True(_repository.TryGet("m", null, out var model));
            Assert.Equal("1", model.Descriptor.Version);
        });
    }

    [Fact]
    public void SetRoutes_AllZero_RemovesTheSplit()
    {
        _repository.SetRoutes("m", [KeyValuePair.Create("1", 100)]);
        _repository.SetRoutes("m", [KeyValuePair.Create("1", 0)]);

        Assert.Empty(_repository.Routes("m"));
        Assert.True(_repository.TryGet("m", null, out var model));
        Assert.Equal("2", model.Descriptor.Version);
    }

    [Fact]
    public async Task InferAsync_RoutedVersionUnloadsAfterLookup_UnversionedRequestRoutedAgain()
    {
        _repository.SetRoutes("m", [KeyValuePair.Create("1", 100)]);
        Assert.True(_repository.TryGet("m", null, out var routed));
        _repository.SetRoutes("m", [KeyValuePair.Create("2", 100)]);
        await _repository.UnloadVersionAsync("m", "1");

        var response = await _repository.InferAsync(routed, "m", null, Tensors.ImageRequest("m", Tensors.Images(1, 1), 1), default);

        Assert.Equal("2", response.ModelVersion);
        var pinned = await Assert.ThrowsAsync<InferenceException>(async () =>
            await _repository.InferAsync(routed, "m", "1", Tensors.ImageRequest("m", Tensors.Images(1, 1), 1), default));
        Assert.Equal(InferenceErrorKind.Unavailable, pinned.Kind);
    }
}
