using Microsoft.Extensions.Time.Testing;
using MlOps.Artifacts;
using MlOps.Artifacts.Configuration;
using MlOps.Artifacts.Models;
using MlOps.Serving.Hosting;
using MlOps.Serving.Hosting.Batching;
using MlOps.Serving.Hosting.Repository;
using MlOps.Serving.Models;
using MlOps.Serving.Tests.Hosting.Support;
using MlOps.Testing;

namespace MlOps.Serving.Tests.Hosting.Repository;

public sealed class ModelRepositoryTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("serving-repository");
    private readonly ModelRepository _repository = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _repository.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task LoadVersionAsync_PulledModelDirectory_ReadyAndServing()
    {
        var onnx = TestModels.Write(TestModels.Export(TestModels.Mlp(), "fashion-mlp"), _directory.Combine("export", "model.onnx")).Path;
        var store = ArtifactStoreFactory.CreateLayout(_directory.Combine("store"));
        var config = new ModelArtifactConfig(
            new ModelSignature([new TensorSignature("input", "float32", [-1, 1, 28, 28])], [new TensorSignature("output", "float32", [-1, 10])]),
            new Dictionary<string, double>(), new ModelLineage());
        await store.PushModelAsync("models/fashion-mlp", "3", config, onnx);
        var pulled = await store.PullModelAsync("models/fashion-mlp", "3", _directory.Combine("cache", "fashion-mlp", "3"));

        var loaded = await _repository.LoadVersionAsync("fashion-mlp", "3", pulled.Directory);

        Assert.Equal(new ModelIndexEntry("fashion-mlp", "3", "READY", ""), Assert.Single(_repository.Index()));
        Assert.Equal(pulled.Config.Lineage.OnnxDigest, loaded.Digest);
        Assert.True(_repository.TryGet("fashion-mlp", "3", out var model));
        Assert.Same(loaded, model);
        var response = await model.InferAsync(Tensors.ImageRequest("fashion-mlp", Tensors.Images(2, 1), 2), default);
        Assert.Equal([2, 10], response.Outputs[0].Shape);
    }

    [Fact]
    public async Task TryGet_NoVersion_NewestReadyNumerically()
    {
        await LoadMlp("m", "2", seed: 2);
        await LoadMlp("m", "10", seed: 10);

        Assert.True(_repository.TryGet("m", null, out var newest));
        Assert.Equal("10", newest.Descriptor.Version);
        await _repository.UnloadVersionAsync("m", "10");
        Assert.True(_repository.TryGet("m", "", out var next));
        Assert.Equal("2", next.Descriptor.Version);
        Assert.False(_repository.TryGet("m", "10", out _));
        Assert.False(_repository.TryGet("other", null, out _));
    }

    [Fact]
    public async Task InferAsync_SeveralVersionsSideBySide_EachAnswersWithItsOwnWeights()
    {
        var (path1, _) = await LoadMlp("m", "1", seed: 1);
        var (path2, _) = await LoadMlp("m", "2", seed: 2);
        var images = Tensors.Images(3, 5);
        Assert.True(_repository.TryGet("m", "1", out var v1));
        Assert.True(_repository.TryGet("m", "2", out var v2));

        var responses = await Task.WhenAll(
            v1.InferAsync(Tensors.ImageRequest("m", images, 3), default).AsTask(),
            v2.InferAsync(Tensors.ImageRequest("m", images, 3), default).AsTask());

        Assert.True(Tensors.MaxAbsDiff(Tensors.Floats(responses[0].Outputs[0]), DirectOrt.Run(path1, images, [3, 1, 28, 28])) <= 1e-6f);
        Assert.True(Tensors.MaxAbsDiff(Tensors.Floats(responses[1].Outputs[0]), DirectOrt.Run(path2, images, [3, 1, 28, 28])) <= 1e-6f);
        Assert.Equal(("1", "2"), (responses[0].ModelVersion, responses[1].ModelVersion));
        Assert.True(Tensors.MaxAbsDiff(Tensors.Floats(responses[0].Outputs[0]), Tensors.Floats(responses[1].Outputs[0])) > 1e-3f);
    }

    [Fact]
    public async Task UnloadVersionAsync_RemovedFromRoutingAndReleased()
    {
        await LoadMlp("m", "1");
        Assert.True(_repository.TryGet("m", "1", out var held));

        await _repository.UnloadVersionAsync("m", "1");

        Assert.False(_repository.TryGet("m", "1", out _));
        Assert.False(_repository.TryGet("m", null, out _));
        Assert.Equal(new ModelIndexEntry("m", "1", "UNAVAILABLE", "unloaded"), Assert.Single(_repository.Index()));
        Assert.False(held.IsReady);
        var error = await Assert.ThrowsAsync<InferenceException>(() => held.InferAsync(Tensors.ImageRequest("m", Tensors.Images(1, 1), 1), default).AsTask());
        Assert.Equal(InferenceErrorKind.Unavailable, error.Kind);
    }

    [Fact]
    public async Task UnloadVersionAsync_QueuedRequestsFinishFirst()
    {
        var time = new FakeTimeProvider();
        var options = new OnnxModelVersionOptions { Batching = new DynamicBatcherOptions { MaxQueueDelay = TimeSpan.FromSeconds(1) } };
        await using var repository = new ModelRepository(options, time: time);
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));
        await repository.LoadVersionAsync("m", "1", path, digest);
        Assert.True(repository.TryGet("m", "1", out var model));
        var queued = model.InferAsync(Tensors.ImageRequest("m", Tensors.Images(1, 1), 1), default).AsTask();

        await repository.UnloadVersionAsync("m", "1").WaitAsync(TimeSpan.FromSeconds(10)); // the fake clock never moves

        var response = await queued.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([1, 10], response.Outputs[0].Shape);
    }

    [Fact]
    public async Task LoadVersionAsync_DigestMismatch_UnavailableWithReason()
    {
        var (path, _) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));

        var error = await Assert.ThrowsAsync<InferenceException>(() => _repository.LoadVersionAsync("m", "1", path, "sha256:" + new string('0', 64)));

        Assert.Equal(InferenceErrorKind.Internal, error.Kind);
        var entry = Assert.Single(_repository.Index());
        Assert.Equal(("UNAVAILABLE", error.Message), (entry.State, entry.Reason));
        Assert.Contains("has digest sha256:", entry.Reason);
        Assert.False(_repository.TryGet("m", "1", out _));
    }

    [Fact]
    public async Task LoadVersionAsync_FileWithoutDigest_Refused()
    {
        var (path, _) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("mlp.onnx"));

        var error = await Assert.ThrowsAsync<InferenceException>(() => _repository.LoadVersionAsync("m", "1", path));

        Assert.Contains("no expected digest", error.Message);
    }

    [Fact]
    public async Task LoadVersionAsync_ConfigSignatureDisagrees_UnavailableNamingTheTensor()
    {
        var directory = _directory.Combine("pulled");
        var (_, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), Path.Combine(directory, "model.onnx"));
        await File.WriteAllTextAsync(Path.Combine(directory, "config.json"),
            $$$"""{"schemaVersion":1,"signature":{"inputs":[{"name":"input","dataType":"float32","shape":[-1,784]}],"outputs":[{"name":"output","dataType":"float32","shape":[-1,10]}]},"metrics":{},"lineage":{"onnxDigest":"{{{digest}}}"}}""");

        var error = await Assert.ThrowsAsync<InferenceException>(() => _repository.LoadVersionAsync("m", "1", directory));

        Assert.Contains("input 'input': config.json says FP32 [-1,784], the ONNX file FP32 [-1,1,28,28]", error.Message);
        Assert.Equal("UNAVAILABLE", Assert.Single(_repository.Index()).State);
    }

    [Fact]
    public async Task LoadVersionAsync_SameVersionAgain_SwapsThenDrainsTheOld()
    {
        await LoadMlp("m", "1", seed: 1);
        Assert.True(_repository.TryGet("m", "1", out var old));

        await LoadMlp("m", "1", seed: 2, file: "mlp-new.onnx");

        Assert.True(_repository.TryGet("m", "1", out var replacement));
        Assert.NotSame(old, replacement);
        Assert.False(old.IsReady);
        Assert.True(replacement.IsReady);
    }

    [Fact]
    public async Task LoadVersionAsync_FailedReload_OldVersionKeepsServing()
    {
        await LoadMlp("m", "1");
        Assert.True(_repository.TryGet("m", "1", out var serving));
        var (path, _) = TestModels.Write(TestModels.Export(TestModels.Mlp(), seed: 3), _directory.Combine("bad.onnx"));

        await Assert.ThrowsAsync<InferenceException>(() => _repository.LoadVersionAsync("m", "1", path, "sha256:" + new string('1', 64)));

        Assert.True(_repository.TryGet("m", "1", out var still));
        Assert.Same(serving, still);
        Assert.True(still.IsReady);
        var entry = Assert.Single(_repository.Index());
        Assert.Equal("READY", entry.State);
        Assert.StartsWith("reload failed:", entry.Reason);
    }

    [Fact]
    public async Task LoadAsync_RegisteredLoader_LoadsListedVersionsAndUnloadsDroppedOnes()
    {
        var v1 = TestModels.Write(TestModels.Export(TestModels.Mlp(), seed: 1), _directory.Combine("v1.onnx"));
        var v2 = TestModels.Write(TestModels.Export(TestModels.Mlp(), seed: 2), _directory.Combine("v2.onnx"));
        IReadOnlyList<ModelSource> listed = [new("1", v1.Path) { ExpectedDigest = v1.Digest }, new("2", v2.Path) { ExpectedDigest = v2.Digest }];
        _repository.UseLoader((name, _) => Task.FromResult(name == "m" ? listed : []));

        await _repository.LoadAsync("m", default);
        Assert.Equal(["READY", "READY"], _repository.Index().Select(e => e.State));

        listed = [listed[1]];
        await _repository.LoadAsync("m", default);

        Assert.Equal([("1", "UNAVAILABLE"), ("2", "READY")], _repository.Index().Select(e => (e.Version, e.State)));
        var missing = await Assert.ThrowsAsync<InferenceException>(() => _repository.LoadAsync("unknown", default));
        Assert.Equal(InferenceErrorKind.NotFound, missing.Kind);
        Assert.Contains("'unknown'", missing.Message);
    }

    [Fact]
    public async Task LoadAsync_NoLoaderOrFailingLoader_ErrorNamesTheModel()
    {
        var none = await Assert.ThrowsAsync<InferenceException>(() => _repository.LoadAsync("m", default));
        _repository.UseLoader((_, _) => throw new IOException("registry unreachable"));
        var failing = await Assert.ThrowsAsync<InferenceException>(() => _repository.LoadAsync("m", default));

        Assert.Equal(InferenceErrorKind.NotFound, none.Kind);
        Assert.Contains("model 'm'", none.Message);
        Assert.Equal(InferenceErrorKind.Internal, failing.Kind);
        Assert.Contains("model 'm'", failing.Message);
        Assert.Contains("registry unreachable", failing.Message);
    }

    [Fact]
    public async Task LoadAsync_OneVersionFails_OthersServeAndErrorNamesIt()
    {
        var good = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("good.onnx"));
        _repository.UseLoader((_, _) => Task.FromResult<IReadOnlyList<ModelSource>>(
            [new("1", good.Path) { ExpectedDigest = good.Digest }, new("2", _directory.Combine("missing"))]));

        var error = await Assert.ThrowsAsync<InferenceException>(() => _repository.LoadAsync("m", default));

        Assert.Contains("1 of 2 version(s) failed to load", error.Message);
        Assert.Contains("version '2'", error.Message);
        Assert.True(_repository.TryGet("m", null, out var serving));
        Assert.Equal("1", serving.Descriptor.Version);
    }

    [Fact]
    public async Task UnloadAsync_ByName_AllVersionsUnloaded_UnknownNotFound()
    {
        await LoadMlp("m", "1");
        await LoadMlp("m", "2");

        await _repository.UnloadAsync("m", default);
        var error = await Assert.ThrowsAsync<InferenceException>(() => _repository.UnloadAsync("nobody", default));

        Assert.All(_repository.Index(), e => Assert.Equal("UNAVAILABLE", e.State));
        Assert.False(_repository.TryGet("m", null, out _));
        Assert.Equal(InferenceErrorKind.NotFound, error.Kind);
    }

    [Fact]
    public async Task UnloadVersionAsync_LoadedVersion_DisposesItsSession()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("m-1.onnx"));
        var loaded = await _repository.LoadVersionAsync("m", "1", path, digest);
        Assert.False(loaded.SessionReleased);

        await _repository.UnloadVersionAsync("m", "1");

        Assert.True(loaded.SessionReleased);
    }

    [Fact]
    public async Task LoadVersionAsync_Replace_DisposesThePreviousSessionOnly()
    {
        var (path, digest) = TestModels.Write(TestModels.Export(TestModels.Mlp()), _directory.Combine("m-1.onnx"));
        var first = await _repository.LoadVersionAsync("m", "1", path, digest);

        var second = await _repository.LoadVersionAsync("m", "1", path, digest);

        Assert.True(first.SessionReleased);
        Assert.False(second.SessionReleased);
        Assert.True(_repository.TryGet("m", "1", out var served));
        Assert.Same(second, served);
    }

    private async Task<(string Path, string Digest)> LoadMlp(string name, string version, int seed = 1, string? file = null)
    {
        var written = TestModels.Write(TestModels.Export(TestModels.Mlp(), seed: seed), _directory.Combine(file ?? $"{name}-{version}.onnx"));
        await _repository.LoadVersionAsync(name, version, written.Path, written.Digest);
        return written;
    }
}
