using Microsoft.ML.OnnxRuntime;
using MlOps.Onnx.Tests.Support;
using static MlOps.Onnx.Tests.Support.ExportedModels;
using static MlOps.Onnx.Tests.Support.LayerSpecs;

namespace MlOps.Onnx.Tests.Export;

/// <summary>ONNX Runtime 1.31 accepts the files and sees the declared names, dynamic batch and metadata.</summary>
[Collection(TorchCollection.Name)]
public sealed class OrtLoadTests
{
    [Fact]
    public void InferenceSession_ExportedCnn_SeesNamesAndDynamicBatch()
    {
        var spec = Example("fashion-mnist-cnn.yaml");
        using var session = new InferenceSession(OnnxExporter.Export(spec, ExportedModels.Weights(spec), Options("fashion-cnn")));

        var input = Assert.Single(session.InputMetadata);
        var output = Assert.Single(session.OutputMetadata);
        Assert.Equal("input", input.Key);
        Assert.Equal([-1, 1, 28, 28], input.Value.Dimensions);
        Assert.Equal("batch", input.Value.SymbolicDimensions[0]);
        Assert.Equal(typeof(float), input.Value.ElementType);
        Assert.Equal("output", output.Key);
        Assert.Equal([-1, 10], output.Value.Dimensions);
        Assert.Equal("batch", output.Value.SymbolicDimensions[0]);
    }

    [Fact]
    public void InferenceSession_ExportedModel_ReadsMetadataProps()
    {
        var spec = ByName["softmax"]();
        var options = Options("softmax-model") with
        {
            ModelVersion = 3,
            Metadata = new Dictionary<string, string> { [OnnxMetadataKeys.WeightsDigest] = "sha256:0123" },
        };
        using var session = new InferenceSession(OnnxExporter.Export(spec, ExportedModels.Weights(spec), options));

        var metadata = session.ModelMetadata;
        Assert.Equal("mlops", metadata.ProducerName);
        Assert.Equal("softmax-model", metadata.GraphName);
        Assert.Equal(3, metadata.Version);
        Assert.Equal("softmax-model", metadata.CustomMetadataMap[OnnxMetadataKeys.ModelName]);
        Assert.Equal("3", metadata.CustomMetadataMap[OnnxMetadataKeys.ModelVersion]);
        Assert.Equal("probabilities", metadata.CustomMetadataMap[OnnxMetadataKeys.Output]);
        Assert.Equal("sha256:0123", metadata.CustomMetadataMap[OnnxMetadataKeys.WeightsDigest]);
        Assert.StartsWith("sha256:", metadata.CustomMetadataMap[OnnxMetadataKeys.SpecDigest]);
    }

    [Fact]
    public void Run_OneSessionManyBatchSizes_OutputBatchFollowsInput()
    {
        var spec = Example("fashion-mnist-mlp.yaml");
        using var onnx = new OrtModel(OnnxExporter.Export(spec, ExportedModels.Weights(spec), Options()));

        foreach (var batch in new[] { 1, 7, 64, 3 })
        {
            var (values, shape) = onnx.Run(new float[batch * 784], [batch, 1, 28, 28]);
            Assert.Equal([batch, 10L], shape);
            Assert.Equal(batch * 10, values.Length);
        }
    }

    [Fact]
    public void InferenceSession_OnlyDropoutModel_IsIdentity()
    {
        var spec = Spec([4], Dropout(0.5));
        using var onnx = new OrtModel(OnnxExporter.Export(spec, new Dictionary<string, WeightTensor>(), Options()));

        var (values, _) = onnx.Run([1f, -2f, 3f, 4f, 5f, 6f, 7f, 8f], [2, 4]);

        Assert.Equal([1f, -2f, 3f, 4f, 5f, 6f, 7f, 8f], values);
    }
}
