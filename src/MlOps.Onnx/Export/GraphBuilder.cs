using System.Runtime.InteropServices;
using Google.Protobuf;
using MlOps.Onnx.Protos;

namespace MlOps.Onnx;

/// <summary>
/// Appends nodes, initializers, inputs and outputs to one <see cref="GraphProto"/> and makes sure every value name
/// is defined once. Node and initializer order is the order of the calls, so the same calls give the same bytes.
/// </summary>
internal sealed class GraphBuilder
{
    private readonly HashSet<string> _values = new(StringComparer.Ordinal);

    public GraphBuilder(string name)
    {
        if (!BitConverter.IsLittleEndian)
        {
            // raw_data is little-endian; the weights are copied byte for byte.
            throw new PlatformNotSupportedException("ONNX export needs a little-endian machine");
        }

        Graph = new GraphProto { Name = name };
    }

    public GraphProto Graph { get; }

    public void AddInput(string name, IEnumerable<long> sampleShape) =>
        Graph.Input.Add(ValueInfo(Define(name), sampleShape));

    /// <summary>Declares an output; its value must be produced by a node added before or after.</summary>
    public void AddOutput(string name, IEnumerable<long> sampleShape) =>
        Graph.Output.Add(ValueInfo(name, sampleShape));

    public string AddFloat(string name, WeightTensor tensor)
    {
        var proto = new TensorProto
        {
            Name = Define(name),
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(tensor.Data.AsSpan())),
        };
        proto.Dims.AddRange(tensor.Shape);
        Graph.Initializer.Add(proto);
        return name;
    }

    public string AddScalar(string name, float value) => AddFloat(name, new WeightTensor([], [value]));

    public string AddInt64(string name, long[] values)
    {
        var proto = new TensorProto
        {
            Name = Define(name),
            DataType = (int)TensorProto.Types.DataType.Int64,
            RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan())),
        };
        proto.Dims.Add(values.Length);
        Graph.Initializer.Add(proto);
        return name;
    }

    /// <summary>Adds a node in the default domain that writes one output; returns the output's name.</summary>
    public string AddNode(string name, string opType, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { Name = name, OpType = opType, Domain = "" };
        node.Input.AddRange(inputs);
        node.Output.Add(Define(output));
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private string Define(string name)
    {
        if (!_values.Add(name))
        {
            throw new OnnxExportException($"value name '{name}' would be defined twice; choose input and output names that differ from the generated ones");
        }

        return name;
    }

    private static ValueInfoProto ValueInfo(string name, IEnumerable<long> sampleShape)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = OnnxFormat.BatchDimension });
        foreach (var size in sampleShape)
        {
            shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = size });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }
}
