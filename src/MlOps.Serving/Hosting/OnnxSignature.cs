using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Serving.Models;

namespace MlOps.Serving.Hosting;

/// <summary>One input or output of a session: ORT and OIP types, element size and declared shape (-1 = dynamic).</summary>
internal sealed record TensorBinding(string Name, TensorElementType ElementType, string DataType, int ElementSize, long[] Shape)
{
    /// <summary>Bytes of one row (every dimension after the batch), or -1 when one of them is dynamic.</summary>
    public long RowBytes { get; } = Shape.Length == 0 || Shape.Skip(1).Any(d => d < 0)
        ? -1
        : Shape.Skip(1).Aggregate((long)ElementSize, (a, b) => a * b);

    public TensorSpec ToSpec() => new(Name, DataType, [.. Shape]);

    /// <summary>Bytes of one tensor with every dynamic dimension taken as 1; <see cref="long.MaxValue"/> when that
    /// overflows a long.</summary>
    public static long StaticBytes(int elementSize, IEnumerable<long> shape)
    {
        long bytes = elementSize;
        foreach (var dimension in shape.Where(d => d > 1))
        {
            if (bytes > long.MaxValue / dimension)
            {
                return long.MaxValue;
            }

            bytes *= dimension;
        }

        return bytes;
    }
}

/// <summary>
/// The inputs and outputs of a session, read from its metadata. The model is batchable when every input and output
/// has a dynamic first dimension and static others: then requests can be stacked along that dimension.
/// </summary>
internal sealed class OnnxSignature
{
    private OnnxSignature(IReadOnlyList<TensorBinding> inputs, IReadOnlyList<TensorBinding> outputs)
    {
        Inputs = inputs;
        Outputs = outputs;
        InputNames = [.. inputs.Select(i => i.Name)];
        OutputNames = [.. outputs.Select(o => o.Name)];
        Batchable = inputs.Concat(outputs).All(t => t.Shape.Length > 0 && t.Shape[0] == -1 && t.RowBytes >= 0);
    }

    public IReadOnlyList<TensorBinding> Inputs { get; }

    public IReadOnlyList<TensorBinding> Outputs { get; }

    public string[] InputNames { get; }

    public string[] OutputNames { get; }

    public bool Batchable { get; }

    /// <summary>Reads the session's metadata.</summary>
    /// <exception cref="InferenceException">Internal: an input or output is not a tensor of a type raw bytes can carry.</exception>
    public static OnnxSignature Read(InferenceSession session, string name, string version)
    {
        var errors = new List<string>();
        var inputs = Bindings(session.InputNames, session.InputMetadata, "input", errors);
        var outputs = Bindings(session.OutputNames, session.OutputMetadata, "output", errors);
        if (errors.Count > 0)
        {
            throw new InferenceException(InferenceErrorKind.Internal,
                $"model '{name}' version '{version}' cannot be served: {string.Join("; ", errors)}");
        }

        return new OnnxSignature(inputs, outputs);
    }

    public int InputIndex(string inputName) => Array.IndexOf(InputNames, inputName);

    public int OutputIndex(string outputName) => Array.IndexOf(OutputNames, outputName);

    private static List<TensorBinding> Bindings(IReadOnlyList<string> names, IReadOnlyDictionary<string, NodeMetadata> metadata, string kind, List<string> errors)
    {
        var bindings = new List<TensorBinding>();
        foreach (var name in names)
        {
            var node = metadata[name];
            if (!node.IsTensor)
            {
                errors.Add($"{kind} '{name}' is a {node.OnnxValueType}, not a tensor");
                continue;
            }

            if (TensorTypes.Describe(node.ElementDataType) is not { } type)
            {
                errors.Add($"{kind} '{name}' has element type {node.ElementDataType}, which is not served");
                continue;
            }

            long[] shape = [.. node.Dimensions.Select(d => d < 0 ? -1L : d)];
            if (TensorBinding.StaticBytes(type.Size, shape) > Array.MaxLength)
            {
                // Refused before any buffer is sized from it (found by fuzzing: sizes near 2^31 overflowed the warm-up tensor).
                errors.Add($"{kind} '{name}' declares shape [{string.Join(",", shape)}]: more than {Array.MaxLength} bytes per sample, beyond one buffer");
                continue;
            }

            bindings.Add(new TensorBinding(name, node.ElementDataType, type.DataType, type.Size, shape));
        }

        return bindings;
    }
}
