using System.Text;
using System.Text.Json.Nodes;
using MlOps.Artifacts.Layout;
using MlOps.Artifacts.Manifests;
using MlOps.Artifacts.Models;
using MlOps.Artifacts.Packaging;
using MlOps.Artifacts.Tests.Infrastructure;
using MlOps.Core.Digests;
using MlOps.Testing;

namespace MlOps.Artifacts.Tests.Models;

/// <summary>The model artifact format, checked on the image-layout store (the contract suite covers the registry).</summary>
public sealed class ModelArtifactTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-model");
    private readonly OciLayoutStore _store;
    private readonly string _onnx;

    public ModelArtifactTests()
    {
        _store = new OciLayoutStore(_temp.Combine("store"));
        _onnx = TestData.WriteFile(_temp.Path, "exported.onnx", TestData.RandomBytes(5000));
    }

    [Fact]
    public async Task PushModelAsync_Manifest_HasArtifactTypeLayersAndStandardAnnotations()
    {
        var digest = await _store.PushModelAsync("models/mlp", "v3", SampleModel.Config(), _onnx);

        var (_, manifest, _) = await _store.ReadModelAsync("models/mlp", digest);

        Assert.Equal(OciMediaTypes.ModelArtifact, manifest.ArtifactType);
        Assert.Equal(OciMediaTypes.ModelConfig, manifest.Config.MediaType);
        var layer = Assert.Single(manifest.Layers);
        Assert.Equal(OciMediaTypes.OnnxModel, layer.MediaType);
        Assert.Equal("model.onnx", layer.Annotations![OciAnnotations.Title]);
        Assert.Equal("fashion-mlp", manifest.Annotations![OciAnnotations.Title]);
        Assert.Equal("3", manifest.Annotations[OciAnnotations.Version]);
        Assert.Equal("a43806d", manifest.Annotations[OciAnnotations.Revision]);
        Assert.Equal("2026-11-27T10:00:00Z", manifest.Annotations[OciAnnotations.Created]);
        Assert.Equal("MLP 784-256-128-10", manifest.Annotations[OciAnnotations.Description]);
    }

    [Fact]
    public async Task PushModelAsync_Config_CamelCaseJsonWithSortedMetricsAndOnnxDigest()
    {
        var digest = await _store.PushModelAsync("models/mlp", "v3", SampleModel.Config(), _onnx);
        var (_, manifest, _) = await _store.ReadModelAsync("models/mlp", digest);

        var json = Encoding.UTF8.GetString(await _store.ReadBlobBytesAsync("models/mlp", manifest.Config, 1 << 20));
        var config = JsonNode.Parse(json)!.AsObject();

        Assert.StartsWith("{\"schemaVersion\":1,", json);
        Assert.Equal(["epochs", "test_accuracy", "test_loss"], config["metrics"]!.AsObject().Select(p => p.Key));
        Assert.Equal("input", config["signature"]!["inputs"]![0]!["name"]!.GetValue<string>());
        Assert.Equal("float32", config["signature"]!["inputs"]![0]!["dataType"]!.GetValue<string>());
        Assert.Equal(-1, config["signature"]!["inputs"]![0]!["shape"]![0]!.GetValue<long>());
        Assert.Equal(Sha256Digest.OfFile(_onnx), config["lineage"]!["onnxDigest"]!.GetValue<string>());
        Assert.Equal(17, config["lineage"]!["opset"]!.GetValue<int>());
        Assert.Equal(1234, config["lineage"]!["seed"]!.GetValue<long>());
    }

    [Fact]
    public async Task PushModelAsync_SameContentInTwoStores_SameManifestDigest()
    {
        var other = new OciLayoutStore(_temp.Combine("other"));

        var one = await _store.PushModelAsync("models/mlp", "v1", SampleModel.Config(), _onnx);
        var two = await other.PushModelAsync("models/mlp", "v2", SampleModel.Config(), _onnx);

        Assert.Equal(one, two);
    }

    [Fact]
    public async Task PushModelAsync_InvalidConfig_ListsEveryProblem()
    {
        var config = SampleModel.Config() with
        {
            Signature = new ModelSignature([], [new TensorSignature("out", "float128", [-2])]),
            Metrics = new Dictionary<string, double> { ["loss"] = double.NaN },
        };

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _store.PushModelAsync("models/mlp", "v1", config, _onnx));

        Assert.Contains("signature.inputs", error.Message);
        Assert.Contains("float128", error.Message);
        Assert.Contains("signature.outputs[0].shape", error.Message);
        Assert.Contains("metrics.loss", error.Message);
        Assert.Empty(await _store.ListTagsAsync("models/mlp"));
    }

    [Theory]
    [InlineData("config.json")]
    [InlineData("model.onnx")]
    [InlineData("..")]
    public async Task PushModelAsync_ExtraLayerWithReservedOrUnsafeName_Throws(string title)
    {
        var log = TestData.WriteFile(_temp.Path, "train.log", "x");

        await Assert.ThrowsAsync<ArgumentException>(() =>
            _store.PushModelAsync("models/mlp", "v1", SampleModel.Config(), _onnx, [ArtifactLayer.TrainingLog(log, title)]));
    }

    [Fact]
    public async Task PushModelAsync_LineageNamesOtherOnnxDigest_Throws()
    {
        var config = SampleModel.Config(onnxDigest: "sha256:" + new string('9', 64));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _store.PushModelAsync("models/mlp", "v1", config, _onnx));

        Assert.Contains("onnxDigest", error.Message);
    }

    [Fact]
    public async Task PushModelAsync_OnnxFileMissing_ThrowsFileNotFoundAndStoresNothing()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() =>
            _store.PushModelAsync("models/mlp", "v1", SampleModel.Config(), _temp.Combine("missing.onnx")));

        Assert.False(Directory.Exists(_temp.Combine("store", "models", "mlp")));
    }

    [Fact]
    public async Task PullModelAsync_LayerTitleEscapesDirectory_ThrowsInvalidAndWritesNothing()
    {
        var onnx = await _store.PushFileAsync("models/evil", _onnx, OciMediaTypes.OnnxModel);
        var payload = await _store.PushBytesAsync("models/evil", "owned"u8.ToArray(), "text/plain");
        var config = await _store.PushBytesAsync("models/evil", Encoding.UTF8.GetBytes("{\"signature\":{\"inputs\":[],\"outputs\":[]},\"metrics\":{},\"lineage\":{}}"),
            OciMediaTypes.ModelConfig);
        var manifest = new OciManifest(config, [onnx, payload with { Annotations = new Dictionary<string, string> { [OciAnnotations.Title] = "../escaped.txt" } }])
        {
            ArtifactType = OciMediaTypes.ModelArtifact,
        };
        await _store.PushManifestAsync("models/evil", manifest.ToJsonBytes(), OciMediaTypes.ImageManifest, "v1");

        await Assert.ThrowsAsync<ArtifactInvalidException>(() => _store.PullModelAsync("models/evil", "v1", _temp.Combine("out", "model")));

        Assert.False(File.Exists(_temp.Combine("out", "escaped.txt")));
        Assert.False(Directory.Exists(_temp.Combine("out", "model")));
    }

    [Fact]
    public async Task PullModelAsync_DirectoryExists_ReplacedWhole()
    {
        var target = _temp.Combine("pulled");
        Directory.CreateDirectory(target);
        await File.WriteAllTextAsync(Path.Combine(target, "stale.txt"), "old");
        await _store.PushModelAsync("models/mlp", "v1", SampleModel.Config(), _onnx);

        var pulled = await _store.PullModelAsync("models/mlp", "v1", target);

        Assert.False(File.Exists(Path.Combine(target, "stale.txt")));
        Assert.True(File.Exists(pulled.OnnxPath));
        Assert.Empty(Directory.GetDirectories(_temp.Path, ".old-*"));
    }

    public void Dispose() => _temp.Dispose();
}
