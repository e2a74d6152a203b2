using Google.Protobuf;
using MlOps.Core.Digests;
using MlOps.Onnx.Tests.Support;
using static MlOps.Onnx.Tests.Support.ExportedModels;
using static MlOps.Onnx.Tests.Support.LayerSpecs;

namespace MlOps.Onnx.Tests.Export;

/// <summary>metadata_props and byte-for-byte determinism.</summary>
[Collection(TorchCollection.Name)]
public sealed class OnnxMetadataTests
{
    [Fact]
    public void Build_Options_WritesNameVersionSpecDigestAndExtrasSortedByKey()
    {
        var spec = Example("fashion-mnist-cnn.yaml");
        var options = Options("fashion-cnn") with
        {
            ModelVersion = 7,
            Metadata = new Dictionary<string, string> { ["z.last"] = "1", [OnnxMetadataKeys.DatasetDigest] = "sha256:abc", ["a.first"] = "2" },
        };

        var model = Build(spec, options);

        Assert.Equal(7, model.ModelVersion);
        Assert.Equal(
            ["a.first", "mlops.dataset_sha256", "mlops.model_name", "mlops.model_version", "mlops.output", "mlops.spec_sha256", "z.last"],
            model.MetadataProps.Select(p => p.Key));
        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal("fashion-cnn", metadata[OnnxMetadataKeys.ModelName]);
        Assert.Equal("7", metadata[OnnxMetadataKeys.ModelVersion]);
        Assert.Equal("logits", metadata[OnnxMetadataKeys.Output]);
        Assert.Equal(Sha256Digest.OfBytes(spec.ToByteArray()), metadata[OnnxMetadataKeys.SpecDigest]);
    }

    [Fact]
    public void Build_SpecEndingInSoftmax_OutputIsProbabilities()
    {
        var model = Build(ByName["softmax"]());

        Assert.Equal("probabilities", model.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.Output).Value);
    }

    [Fact]
    public void Export_SameWeightsTwice_ByteIdentical()
    {
        var spec = Everything();
        var weights = ExportedModels.Weights(spec);

        var a = OnnxExporter.Export(spec, weights, Options());
        var b = OnnxExporter.Export(spec, weights, Options());

        Assert.Equal(a, b);
    }

    [Fact]
    public void Export_WeightsAndMetadataInOtherOrder_ByteIdentical()
    {
        var spec = Example("fashion-mnist-cnn.yaml");
        var weights = ExportedModels.Weights(spec);
        var reversed = weights.Reverse().ToDictionary(p => p.Key, p => new WeightTensor([.. p.Value.Shape], [.. p.Value.Data]));
        var metadata = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        var metadataReversed = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" };

        var a = OnnxExporter.Export(spec, weights, Options() with { Metadata = metadata });
        var b = OnnxExporter.Export(spec, reversed, Options() with { Metadata = metadataReversed });

        Assert.Equal(Sha256Digest.OfBytes(a), Sha256Digest.OfBytes(b));
    }

    [Fact]
    public void Export_DifferentWeights_DifferentBytes()
    {
        var spec = ByName["linear"]();

        var a = OnnxExporter.Export(spec, ExportedModels.Weights(spec, seed: 1), Options());
        var b = OnnxExporter.Export(spec, ExportedModels.Weights(spec, seed: 2), Options());

        Assert.NotEqual(a, b);
    }
}
