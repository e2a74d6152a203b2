using Google.Protobuf;
using MlOps.Contracts;
using MlOps.Core.Digests;
using MlOps.Onnx;
using MlOps.Onnx.Protos;

namespace MlOps.Serving.Tests.Hosting.Support;

/// <summary>Real ONNX models for the hosting tests, written to a test's temporary directory.</summary>
public static class TestModels
{
    /// <summary>MLP 784-32-10 on [1, 28, 28].</summary>
    public static ModelSpec Mlp() => new()
    {
        InputShape = { 1, 28, 28 },
        Layers =
        {
            new Layer { Flatten = new FlattenLayer() },
            new Layer { Linear = new LinearLayer { OutFeatures = 32 } },
            new Layer { Activation = new ActivationLayer { Kind = Activation.Relu } },
            new Layer { Linear = new LinearLayer { OutFeatures = 10 } },
        },
    };

    /// <summary>Two conv blocks (4 and 8 channels, batch norm, max pool) and a linear head on [1, 28, 28].</summary>
    public static ModelSpec Cnn() => new()
    {
        InputShape = { 1, 28, 28 },
        Layers =
        {
            new Layer { Conv2D = new Conv2dLayer { OutChannels = 4, KernelSize = { 3 }, Padding = { 1 } } },
            new Layer { BatchNorm2D = new BatchNorm2dLayer() },
            new Layer { Activation = new ActivationLayer { Kind = Activation.Relu } },
            new Layer { MaxPool2D = new Pool2dLayer { KernelSize = { 2 } } },
            new Layer { Conv2D = new Conv2dLayer { OutChannels = 8, KernelSize = { 3 }, Padding = { 1 } } },
            new Layer { BatchNorm2D = new BatchNorm2dLayer() },
            new Layer { Activation = new ActivationLayer { Kind = Activation.Relu } },
            new Layer { MaxPool2D = new Pool2dLayer { KernelSize = { 2 } } },
            new Layer { Flatten = new FlattenLayer() },
            new Layer { Linear = new LinearLayer { OutFeatures = 10 } },
        },
    };

    public static byte[] Export(ModelSpec spec, string name = "test-model", int seed = 1, IReadOnlyDictionary<string, string>? metadata = null) =>
        OnnxExporter.Export(spec, RandomWeights.For(spec, seed), new OnnxExportOptions { ModelName = name, Metadata = metadata ?? new Dictionary<string, string>() });

    /// <summary>Writes the model to <paramref name="path"/>; returns the path and its <c>sha256:</c> digest.</summary>
    public static (string Path, string Digest) Write(byte[] model, string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, model);
        return (path, Sha256Digest.OfBytes(model));
    }

    /// <summary>
    /// Inputs <c>a</c> and <c>b</c> of <paramref name="dataType"/> shaped <c>[batch, 3]</c> (or <c>[2, 3]</c> when
    /// <paramref name="batchable"/> is false), outputs <c>sum</c> = a + b and <c>product</c> = a × b.
    /// </summary>
    public static byte[] TwoHeads(bool batchable = true, TensorProto.Types.DataType dataType = TensorProto.Types.DataType.Float)
    {
        var graph = new GraphProto { Name = "two-heads" };
        graph.Input.Add(Value("a", batchable, dataType));
        graph.Input.Add(Value("b", batchable, dataType));
        graph.Output.Add(Value("sum", batchable, dataType));
        graph.Output.Add(Value("product", batchable, dataType));
        graph.Node.Add(Node("Add", "a", "b", "sum"));
        graph.Node.Add(Node("Mul", "a", "b", "product"));
        var model = new ModelProto { IrVersion = OnnxFormat.IrVersion, ProducerName = "test", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxFormat.Opset });
        return model.ToByteArray();
    }

    /// <summary>An Identity model <c>y = x</c> whose input and output are FP32 <c>[batch, <paramref name="width"/>]</c>
    /// (any width, even one no buffer can hold), with the given <c>metadata_props</c>.</summary>
    public static byte[] Identity(long width, IReadOnlyDictionary<string, string>? metadata = null)
    {
        TypeProto Type()
        {
            var shape = new TensorShapeProto();
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = width });
            return new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } };
        }

        var graph = new GraphProto { Name = "identity" };
        graph.Input.Add(new ValueInfoProto { Name = "x", Type = Type() });
        graph.Output.Add(new ValueInfoProto { Name = "y", Type = Type() });
        var node = new NodeProto { Name = "id", OpType = "Identity", Domain = "" };
        node.Input.Add("x");
        node.Output.Add("y");
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = OnnxFormat.IrVersion, ProducerName = "test", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxFormat.Opset });
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model.ToByteArray();
    }

    private static NodeProto Node(string op, string left, string right, string output)
    {
        var node = new NodeProto { Name = op, OpType = op, Domain = "" };
        node.Input.Add(left);
        node.Input.Add(right);
        node.Output.Add(output);
        return node;
    }

    private static ValueInfoProto Value(string name, bool batchable, TensorProto.Types.DataType dataType)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(batchable ? new TensorShapeProto.Types.Dimension { DimParam = "batch" } : new TensorShapeProto.Types.Dimension { DimValue = 2 });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 3 });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)dataType, Shape = shape } },
        };
    }
}
