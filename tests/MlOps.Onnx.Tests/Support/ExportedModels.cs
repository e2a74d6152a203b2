using MlOps.Contracts;
using MlOps.Onnx.Protos;
using MlOps.Training.Models;
using static TorchSharp.torch;

namespace MlOps.Onnx.Tests.Support;

/// <summary>Weights from freshly built TorchSharp models, and the ONNX messages exported from them.</summary>
public static class ExportedModels
{
    public static IReadOnlyDictionary<string, WeightTensor> Weights(ModelSpec spec, int seed = 1)
    {
        manual_seed(seed);
        using var model = ModelBuilder.Build(spec);
        model.eval();
        return ModelWeights.Extract(model);
    }

    public static OnnxExportOptions Options(string name = "test-model") => new() { ModelName = name };

    public static ModelProto Build(ModelSpec spec, OnnxExportOptions? options = null) =>
        OnnxExporter.Build(spec, Weights(spec), options ?? Options());

    public static NodeProto Node(ModelProto model, string opType) => Assert.Single(model.Graph.Node, n => n.OpType == opType);

    public static AttributeProto Attribute(NodeProto node, string name) => Assert.Single(node.Attribute, a => a.Name == name);
}
