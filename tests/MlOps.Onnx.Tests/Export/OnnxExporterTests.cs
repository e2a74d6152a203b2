using MlOps.Contracts;
using MlOps.Onnx.Protos;
using MlOps.Onnx.Tests.Support;
using static MlOps.Onnx.Tests.Support.ExportedModels;
using static MlOps.Onnx.Tests.Support.LayerSpecs;

namespace MlOps.Onnx.Tests.Export;

/// <summary>The structure of exported models: versions, names, shapes, operators and their attributes.</summary>
[Collection(TorchCollection.Name)]
public sealed class OnnxExporterTests
{
    [Fact]
    public void Build_Mlp_DeclaresIr8Opset17AndProducer()
    {
        var model = Build(Example("fashion-mnist-mlp.yaml"));

        Assert.Equal(8, model.IrVersion);
        var opset = Assert.Single(model.OpsetImport);
        Assert.Equal("", opset.Domain);
        Assert.Equal(17, opset.Version);
        Assert.Equal("mlops", model.ProducerName);
        Assert.Equal(1, model.ModelVersion);
        Assert.Equal("test-model", model.Graph.Name);
    }

    [Fact]
    public void Build_Cnn_InputAndOutputHaveDynamicBatchAndSampleShape()
    {
        var model = Build(Example("fashion-mnist-cnn.yaml"));

        var input = Assert.Single(model.Graph.Input);
        var output = Assert.Single(model.Graph.Output);
        Assert.Equal("input", input.Name);
        Assert.Equal("output", output.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Float, input.Type.TensorType.ElemType);
        Assert.Equal(["batch", "1", "28", "28"], Dims(input));
        Assert.Equal(["batch", "10"], Dims(output));
    }

    [Fact]
    public void Build_Cnn_WeightsAreInitializersNotInputsInLayerOrder()
    {
        var model = Build(Example("fashion-mnist-cnn.yaml"));

        Assert.Equal(
            ["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
             "4.weight", "4.bias", "5.weight", "5.bias", "5.running_mean", "5.running_var",
             "9.weight", "9.bias", "12.weight", "12.bias"],
            model.Graph.Initializer.Select(i => i.Name));
        Assert.All(model.Graph.Initializer, i => Assert.Equal((int)TensorProto.Types.DataType.Float, i.DataType));
        Assert.Equal([128L, 3136L], model.Graph.Initializer.Single(i => i.Name == "9.weight").Dims);
        Assert.Equal(128 * 3136 * 4, model.Graph.Initializer.Single(i => i.Name == "9.weight").RawData.Length);
        Assert.Equal(
            ["Conv", "BatchNormalization", "Relu", "MaxPool", "Conv", "BatchNormalization", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm"],
            model.Graph.Node.Select(n => n.OpType));
        Assert.Equal("output", model.Graph.Node[^1].Output.Single());
    }

    [Fact]
    public void Build_EveryAttribute_CarriesItsType()
    {
        var model = Build(Everything());

        Assert.All(model.Graph.Node.SelectMany(n => n.Attribute), a => Assert.NotEqual(AttributeProto.Types.AttributeType.Undefined, a.Type));
        Assert.All(model.Graph.Node, n => Assert.Matches(@"^\d+\.[A-Z]", n.Name));
        Assert.Equal(model.Graph.Node.Count, model.Graph.Node.Select(n => n.Name).Distinct().Count());
    }

    [Fact]
    public void Build_Linear_IsGemmWithTransposedWeight()
    {
        var gemm = Node(Build(ByName["linear"]()), "Gemm");

        Assert.Equal(["input", "0.weight", "0.bias"], gemm.Input);
        Assert.Equal(1, Attribute(gemm, "transB").I);
        Assert.Equal(0, Attribute(gemm, "transA").I);
    }

    [Fact]
    public void Build_LinearWithoutBias_GemmHasTwoInputs()
    {
        var gemm = Node(Build(ByName["linear_no_bias"]()), "Gemm");

        Assert.Equal(["input", "0.weight"], gemm.Input);
    }

    [Fact]
    public void Build_Conv_WritesGeometryWithPadsBeginsThenEnds()
    {
        var conv = Node(Build(ByName["conv_stride_padding_dilation_groups"]()), "Conv");

        Assert.Equal([3L, 5L], Attribute(conv, "kernel_shape").Ints);
        Assert.Equal([2L, 1L], Attribute(conv, "strides").Ints);
        Assert.Equal([1L, 2L, 1L, 2L], Attribute(conv, "pads").Ints);
        Assert.Equal([2L, 1L], Attribute(conv, "dilations").Ints);
        Assert.Equal(2, Attribute(conv, "group").I);
    }

    [Fact]
    public void Build_Pools_FillDefaultsAndAverageCountsPadding()
    {
        var max = Node(Build(ByName["max_pool_default_stride"]()), "MaxPool");
        var avg = Node(Build(ByName["avg_pool_rect"]()), "AveragePool");

        Assert.Equal([2L, 2L], Attribute(max, "kernel_shape").Ints);
        Assert.Equal([2L, 2L], Attribute(max, "strides").Ints);
        Assert.Equal([0L, 0L, 0L, 0L], Attribute(max, "pads").Ints);
        Assert.Equal([3L, 2L], Attribute(avg, "kernel_shape").Ints);
        Assert.Equal([1L, 2L], Attribute(avg, "strides").Ints);
        Assert.Equal(1, Attribute(avg, "count_include_pad").I);
    }

    [Fact]
    public void Build_BatchNorm_InferenceFormWithEpsilon()
    {
        var bn = Node(Build(ByName["conv_batch_norm_eps_momentum"]()), "BatchNormalization");

        Assert.Equal(["0.out", "1.weight", "1.bias", "1.running_mean", "1.running_var"], bn.Input);
        Assert.Equal(1e-3f, Attribute(bn, "epsilon").F);
        Assert.DoesNotContain(bn.Attribute, a => a.Name == "training_mode");
    }

    [Fact]
    public void Build_Gelu_DecomposedWithErfForOpset17()
    {
        var model = Build(ByName["gelu"]());

        Assert.Equal(["Mul", "Erf", "Add", "Mul", "Mul"], model.Graph.Node.Select(n => n.OpType));
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType == "Gelu");
        Assert.All(model.Graph.Initializer, i => Assert.Empty(i.Dims));
    }

    [Fact]
    public void Build_Dropout_WritesNoNodeEvenWhenLast()
    {
        var inner = Build(ByName["dropout"]());
        var last = Build(ByName["dropout_last"]());

        Assert.Equal(["Gemm"], inner.Graph.Node.Select(n => n.OpType));
        Assert.Equal(["input", "1.weight", "1.bias"], inner.Graph.Node[0].Input);
        Assert.Equal(["Gemm"], last.Graph.Node.Select(n => n.OpType));
        Assert.Equal("output", last.Graph.Node[0].Output.Single());
    }

    [Fact]
    public void Build_OnlyDropout_WritesIdentity()
    {
        var spec = Spec([4], Dropout(0.5));

        var model = OnnxExporter.Build(spec, new Dictionary<string, WeightTensor>(), Options());

        var node = Assert.Single(model.Graph.Node);
        Assert.Equal("Identity", node.OpType);
        Assert.Equal(["input"], node.Input);
        Assert.Equal(["output"], node.Output);
    }

    [Fact]
    public void Build_Reshape_KeepsBatchWithZeroInShapeInitializer()
    {
        var model = Build(ByName["reshape"]());

        var shape = Assert.Single(model.Graph.Initializer);
        Assert.Equal("0.shape", shape.Name);
        Assert.Equal((int)TensorProto.Types.DataType.Int64, shape.DataType);
        Assert.Equal([0L, 12L, -1L], MemoryMarshalLongs(shape.RawData.ToByteArray()));
        Assert.Equal(["batch", "12", "6"], Dims(model.Graph.Output.Single()));
    }

    [Fact]
    public void Build_Flatten_IsAxis1AndSoftmaxIsLastWithAxis1()
    {
        var model = Build(Everything());

        Assert.Equal(1, Attribute(Node(model, "Flatten"), "axis").I);
        Assert.Equal("Softmax", model.Graph.Node[^1].OpType);
        Assert.Equal(1, Attribute(model.Graph.Node[^1], "axis").I);
        Assert.Equal(["batch", "5"], Dims(model.Graph.Output.Single()));
    }

    [Fact]
    public void Build_CustomNames_UsedForInputAndOutput()
    {
        var model = Build(ByName["softmax"](), Options() with { InputName = "pixels", OutputName = "probabilities" });

        Assert.Equal("pixels", model.Graph.Input.Single().Name);
        Assert.Equal("probabilities", model.Graph.Output.Single().Name);
        Assert.Equal(["pixels"], model.Graph.Node[0].Input.Take(1));
        Assert.Equal("probabilities", model.Graph.Node[^1].Output.Single());
    }

    internal static string[] Dims(ValueInfoProto value) =>
        [.. value.Type.TensorType.Shape.Dim.Select(d => d.HasDimParam ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    private static long[] MemoryMarshalLongs(byte[] bytes) =>
        [.. Enumerable.Range(0, bytes.Length / 8).Select(i => BitConverter.ToInt64(bytes, i * 8))];
}
