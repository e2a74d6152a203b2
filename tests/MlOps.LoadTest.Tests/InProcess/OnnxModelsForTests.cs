using Google.Protobuf;
using MlOps.Contracts;
using MlOps.Onnx;
using MlOps.Onnx.Protos;

namespace MlOps.LoadTest.Tests.InProcess;

/// <summary>Real ONNX files for the in-process limit: the example MLP through the project's exporter, and tiny
/// hand-built graphs for the inputs the limit refuses.</summary>
internal static class OnnxModelsForTests
{
    /// <summary>MLP 784-256-128-10 on [1, 28, 28] (examples/fashion-mnist-mlp.yaml without dropout) with seeded
    /// uniform ±1/√fan-in weights; its input has the exporter's dynamic batch dimension.</summary>
    public static string WriteMlp(string directory)
    {
        var spec = new ModelSpec
        {
            InputShape = { 1, 28, 28 },
            Layers =
            {
                new Layer { Flatten = new FlattenLayer() },
                new Layer { Linear = new LinearLayer { OutFeatures = 256 } },
                new Layer { Activation = new ActivationLayer { Kind = Activation.Relu } },
                new Layer { Linear = new LinearLayer { OutFeatures = 128 } },
                new Layer { Activation = new ActivationLayer { Kind = Activation.Relu } },
                new Layer { Linear = new LinearLayer { OutFeatures = 10 } },
            },
        };
        var random = new Random(1);
        var weights = new Dictionary<string, WeightTensor>(StringComparer.Ordinal);
        var inFeatures = 784;
        foreach (var (index, outFeatures) in new[] { (1, 256), (3, 128), (5, 10) })
        {
            var bound = 1 / Math.Sqrt(inFeatures);
            weights[$"{index}.weight"] = Uniform(random, bound, outFeatures, inFeatures);
            weights[$"{index}.bias"] = Uniform(random, bound, outFeatures);
            inFeatures = outFeatures;
        }

        var path = Path.Combine(directory, "mlp.onnx");
        File.WriteAllBytes(path, OnnxExporter.Export(spec, weights, new OnnxExportOptions { ModelName = "mlp" }));
        return path;
    }

    /// <summary>
    /// <c>out = a + b (+ c ...)</c> over inputs shaped <c>[batch or fixedBatch, 3]</c> of <paramref name="dataType"/>:
    /// one input with <paramref name="inputs"/> = 1 (then <c>out = Identity(a)</c>).
    /// </summary>
    public static string WriteElementwise(
        string directory, int inputs, TensorProto.Types.DataType dataType = TensorProto.Types.DataType.Float, long? fixedBatch = null)
    {
        var graph = new GraphProto { Name = "elementwise" };
        var names = Enumerable.Range(0, inputs).Select(i => ((char)('a' + i)).ToString()).ToArray();
        foreach (var name in names)
        {
            graph.Input.Add(Value(name, dataType, fixedBatch));
        }

        graph.Output.Add(Value("out", dataType, fixedBatch));
        var node = new NodeProto { Name = "op", OpType = inputs == 1 ? "Identity" : "Sum", Domain = "" };
        node.Input.Add(names);
        node.Output.Add("out");
        graph.Node.Add(node);
        var model = new ModelProto { IrVersion = OnnxFormat.IrVersion, ProducerName = "test", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxFormat.Opset });
        var path = Path.Combine(directory, $"elementwise-{inputs}-{dataType}-{fixedBatch}.onnx");
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static WeightTensor Uniform(Random random, double bound, params long[] shape)
    {
        var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)(((random.NextDouble() * 2) - 1) * bound);
        }

        return new WeightTensor(shape, data);
    }

    private static ValueInfoProto Value(string name, TensorProto.Types.DataType dataType, long? fixedBatch)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(fixedBatch is { } batch
            ? new TensorShapeProto.Types.Dimension { DimValue = batch }
            : new TensorShapeProto.Types.Dimension { DimParam = OnnxFormat.BatchDimension });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = 3 });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)dataType, Shape = shape } },
        };
    }
}
