using System.Text.Json;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol.Tensors;

namespace MlOps.Serving.Protocol.Rest;

/// <summary>Which outputs go back as binary: per output <c>binary_data</c>, else the request's <c>binary_data_output</c>.</summary>
internal sealed record OutputEncoding(bool BinaryByDefault, IReadOnlyDictionary<string, bool> PerOutput)
{
    public static OutputEncoding AllBinary { get; } = new(true, new Dictionary<string, bool>());

    public bool IsBinary(string output) => PerOutput.TryGetValue(output, out var binary) ? binary : BinaryByDefault;
}

/// <summary>A parsed REST inference request.</summary>
internal sealed record RestInferRequest(InferenceRequest Request, OutputEncoding Outputs);

/// <summary>
/// Parses the JSON inference request, taking each input from its <c>data</c> or, with the binary tensor extension,
/// from the next <c>parameters.binary_data_size</c> bytes after the JSON header. Applies the same model-independent
/// checks as gRPC: unique names, known datatype, byte length = shape × datatype, and no unclaimed binary bytes.
/// </summary>
internal static class RestInferRequestReader
{
    /// <exception cref="InferenceException">InvalidArgument naming the offending field.</exception>
    public static RestInferRequest Read(string model, string? version, JsonElement root, ReadOnlyMemory<byte> binary)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw TensorLayout.Invalid("the inference request must be a JSON object");
        }

        var id = JsonFields.Optional(root, "id", JsonValueKind.String, "the request")?.GetString();
        var parameters = JsonFields.Optional(root, "parameters", JsonValueKind.Object, "the request");
        var binaryByDefault = parameters is { } p && (JsonFields.OptionalBool(p, "binary_data_output", "the request parameters") ?? false);

        var inputs = new List<InferenceTensor>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var offset = 0;
        foreach (var input in JsonFields.Required(root, "inputs", JsonValueKind.Array, "the request").EnumerateArray())
        {
            var tensor = ReadInput(input, inputs.Count, binary, ref offset);
            if (!names.Add(tensor.Name))
            {
                throw TensorLayout.Invalid($"input '{tensor.Name}' appears more than once");
            }

            inputs.Add(tensor);
        }

        if (offset != binary.Length)
        {
            throw TensorLayout.Invalid($"the body has {binary.Length - offset} bytes of binary data that no input's binary_data_size claims");
        }

        var (requested, perOutput) = ReadOutputs(root);
        var request = new InferenceRequest(model, version, inputs) { Id = id, RequestedOutputs = requested };
        return new RestInferRequest(request, new OutputEncoding(binaryByDefault, perOutput));
    }

    private static InferenceTensor ReadInput(JsonElement input, int position, ReadOnlyMemory<byte> binary, ref int offset)
    {
        if (input.ValueKind != JsonValueKind.Object)
        {
            throw TensorLayout.Invalid($"input {position} must be a JSON object");
        }

        var name = JsonFields.RequiredString(input, "name", $"input {position}");
        var where = $"input '{name}'";
        var dataType = JsonFields.RequiredString(input, "datatype", where);
        var shape = JsonFields.Shape(input, where);
        var count = TensorLayout.ElementCount(name, dataType, shape);
        var parameters = JsonFields.Optional(input, "parameters", JsonValueKind.Object, where);
        var binarySize = parameters is { } p ? JsonFields.OptionalNonNegativeInteger(p, "binary_data_size", $"{where} parameters") : null;
        var hasData = input.TryGetProperty("data", out var data) && data.ValueKind != JsonValueKind.Null;

        ReadOnlyMemory<byte> bytes;
        if (binarySize is { } size)
        {
            if (hasData)
            {
                throw TensorLayout.Invalid($"{where} has both 'data' and parameters.binary_data_size");
            }

            if (size > binary.Length - offset)
            {
                throw TensorLayout.Invalid(
                    $"{where} binary_data_size {size} exceeds the {binary.Length - offset} bytes of binary data left in the body (truncated payload?)");
            }

            bytes = binary.Slice(offset, (int)size);
            offset += (int)size;
        }
        else if (hasData)
        {
            bytes = JsonTensorReader.Read(name, dataType, shape, count, data);
        }
        else
        {
            throw TensorLayout.Invalid($"{where} has neither 'data' nor parameters.binary_data_size");
        }

        TensorLayout.ValidateData(name, dataType, shape, count, bytes.Span);
        return new InferenceTensor(name, dataType, shape, bytes);
    }

    private static (IReadOnlyList<string>? Requested, Dictionary<string, bool> Binary) ReadOutputs(JsonElement root)
    {
        var perOutput = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (JsonFields.Optional(root, "outputs", JsonValueKind.Array, "the request") is not { } outputs)
        {
            return (null, perOutput);
        }

        var requested = new List<string>();
        var position = 0;
        foreach (var output in outputs.EnumerateArray())
        {
            if (output.ValueKind != JsonValueKind.Object)
            {
                throw TensorLayout.Invalid($"output {position} must be a JSON object");
            }

            var name = JsonFields.RequiredString(output, "name", $"output {position++}");
            if (requested.Contains(name, StringComparer.Ordinal))
            {
                throw TensorLayout.Invalid($"output '{name}' is requested more than once");
            }

            requested.Add(name);
            if (JsonFields.Optional(output, "parameters", JsonValueKind.Object, $"output '{name}'") is { } parameters
                && JsonFields.OptionalBool(parameters, "binary_data", $"output '{name}' parameters") is { } binary)
            {
                perOutput[name] = binary;
            }
        }

        return (requested.Count == 0 ? null : requested, perOutput);
    }
}
