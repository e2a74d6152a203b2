using MlOps.Contracts;
using MlOps.Onnx.Tests.Support;
using static MlOps.Onnx.Tests.Support.ExportedModels;
using static MlOps.Onnx.Tests.Support.LayerSpecs;

namespace MlOps.Onnx.Tests.Export;

/// <summary>What the exporter refuses, and how it says so.</summary>
[Collection(TorchCollection.Name)]
public sealed class OnnxExporterErrorTests
{
    private static readonly IReadOnlyDictionary<string, WeightTensor> NoWeights = new Dictionary<string, WeightTensor>();

    [Fact]
    public void Build_LayerWithoutKind_ThrowsUnsupportedLayerAtPosition()
    {
        var spec = Spec([4], Act(Activation.Relu), Act(Activation.Tanh), new Layer());

        var ex = Assert.Throws<OnnxExportException>(() => OnnxExporter.Build(spec, NoWeights, Options()));

        Assert.StartsWith("unsupported layer ", ex.Message);
        Assert.EndsWith(" at position 2", ex.Message);
    }

    [Fact]
    public void Build_UnspecifiedActivation_ThrowsUnsupportedLayerNamingIt()
    {
        var spec = Spec([4], Act(Activation.Relu), Act(Activation.Unspecified));

        var ex = Assert.Throws<OnnxExportException>(() => OnnxExporter.Build(spec, NoWeights, Options()));

        Assert.Equal("unsupported layer activation Unspecified at position 1", ex.Message);
    }

    [Fact]
    public void Build_InvalidSpec_ThrowsNamingField()
    {
        var spec = Spec([1, 28, 28], Linear(10));

        var ex = Assert.Throws<OnnxExportException>(() => OnnxExporter.Build(spec, NoWeights, Options()));

        Assert.Contains("model.layers[0].linear", ex.Message);
    }

    [Fact]
    public void Build_MissingWeight_ThrowsNamingWeightAndShape()
    {
        var spec = ByName["conv_depthwise"]();
        var weights = ExportedModels.Weights(spec).Where(p => p.Key != "0.bias").ToDictionary();

        var ex = Assert.Throws<OnnxExportException>(() => OnnxExporter.Build(spec, weights, Options()));

        Assert.Contains("'0.bias'", ex.Message);
        Assert.Contains("missing", ex.Message);
        Assert.Contains("[8]", ex.Message);
    }

    [Fact]
    public void Build_WeightOfWrongShape_ThrowsNamingBothShapes()
    {
        var spec = ByName["linear"]();
        var weights = ExportedModels.Weights(spec).ToDictionary();
        weights["0.weight"] = new WeightTensor([20, 7], new float[140]);

        var ex = Assert.Throws<OnnxExportException>(() => OnnxExporter.Build(spec, weights, Options()));

        Assert.Contains("'0.weight'", ex.Message);
        Assert.Contains("[20, 7]", ex.Message);
        Assert.Contains("[7, 20]", ex.Message);
    }

    [Fact]
    public void Build_DataLengthNotMatchingShape_Throws()
    {
        var spec = ByName["linear"]();
        var weights = ExportedModels.Weights(spec).ToDictionary();
        weights["0.bias"] = new WeightTensor([7], new float[6]);

        var ex = Assert.Throws<OnnxExportException>(() => OnnxExporter.Build(spec, weights, Options()));

        Assert.Contains("'0.bias' holds 6 values", ex.Message);
    }

    [Fact]
    public void Build_WeightNoLayerUses_ThrowsNamingIt()
    {
        var spec = ByName["linear"]();
        var weights = ExportedModels.Weights(spec).ToDictionary();
        weights["3.weight"] = new WeightTensor([1], [0f]);
        weights["1.num_batches_tracked"] = new WeightTensor([], [0f]);

        var ex = Assert.Throws<OnnxExportException>(() => OnnxExporter.Build(spec, weights, Options()));

        Assert.Contains("3.weight", ex.Message);
        Assert.DoesNotContain("num_batches_tracked", ex.Message);
    }

    [Theory]
    [InlineData("mlops.model_name")]
    [InlineData("mlops.spec_sha256")]
    public void Build_MetadataSettingReservedKey_ThrowsArgumentException(string key)
    {
        var options = Options() with { Metadata = new Dictionary<string, string> { [key] = "x" } };

        var ex = Assert.Throws<ArgumentException>(() => OnnxExporter.Build(ByName["relu"](), NoWeights, options));

        Assert.Contains(key, ex.Message);
    }

    [Fact]
    public void Build_BadOptions_ListsEveryProblem()
    {
        var options = new OnnxExportOptions { ModelName = " ", ModelVersion = -1, InputName = "x", OutputName = "x" };

        var ex = Assert.Throws<ArgumentException>(() => OnnxExporter.Build(ByName["relu"](), NoWeights, options));

        Assert.Contains("ModelName", ex.Message);
        Assert.Contains("ModelVersion", ex.Message);
        Assert.Contains("must differ", ex.Message);
    }

    [Fact]
    public void Build_OutputNameCollidingWithGeneratedName_Throws()
    {
        var options = Options() with { InputName = "0.weight" };

        var ex = Assert.Throws<OnnxExportException>(() => OnnxExporter.Build(ByName["linear"](), ExportedModels.Weights(ByName["linear"]()), options));

        Assert.Contains("'0.weight'", ex.Message);
    }
}
