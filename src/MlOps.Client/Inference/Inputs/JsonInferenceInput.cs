using System.Text.Json;
using Google.Protobuf;
using MlOps.Contracts.Inference;
using TensorMetadata = MlOps.Contracts.Inference.ModelMetadataResponse.Types.TensorMetadata;

namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// Reads an Open Inference Protocol REST request body (<c>{"id", "parameters", "inputs", "outputs"}</c>) into a
/// gRPC <see cref="ModelInferRequest"/> whose inputs travel in <c>raw_input_contents</c>. The caller sets the
/// model name and version.
/// </summary>
/// <remarks>
/// <para><c>data</c> may be flat or nested (row-major, rectangular). With the model's metadata, an input may
/// leave out <c>name</c> (when the model and the file have one input each), <c>datatype</c> and <c>shape</c>:
/// the shape is the data's nesting when it has the model's rank, else the model's shape with its one -1 (the
/// batch) worked out from the number of values. Without metadata a missing shape is the data's nesting. The
/// whole file may also be a bare array: the data of a single-input model.</para>
/// <para>Every problem throws <see cref="InferenceInputException"/> naming the field, e.g.
/// <c>inputs[0].data[17]: 300 does not fit UINT8 (0 to 255)</c>. Unknown properties are refused so a typo
/// is not silently ignored; REST's binary extension (<c>binary_data_size</c>) cannot be used from a file.</para>
/// </remarks>
public static class JsonInferenceInput
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Reads the JSON file at <paramref name="path"/>; see <see cref="Parse(ReadOnlyMemory{byte}, ModelMetadataResponse?)"/>.</summary>
    public static ModelInferRequest Load(string path, ModelMetadataResponse? model = null) => Parse(File.ReadAllBytes(path), model);

    /// <summary>Reads a request from JSON text.</summary>
    public static ModelInferRequest Parse(string json, ModelMetadataResponse? model = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(System.Text.Encoding.UTF8.GetBytes(json), model);
    }

    /// <summary>Reads a request from UTF-8 JSON.</summary>
    /// <param name="utf8Json">The request body, or a bare array of the single input's data.</param>
    /// <param name="model">The model's metadata: fills in left-out names, datatypes and shapes and checks the
    /// inputs and outputs against the model. Null reads the file as it is.</param>
    /// <exception cref="InferenceInputException">The JSON is malformed or a field is wrong; the message names it.</exception>
    public static ModelInferRequest Parse(ReadOnlyMemory<byte> utf8Json, ModelMetadataResponse? model = null)
    {
        // Editors on Windows save UTF-8 with a byte order mark, which the JSON reader does not skip itself.
        if (utf8Json.Span.StartsWith("\uFEFF"u8))
        {
            utf8Json = utf8Json[3..];
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8Json, DocumentOptions);
        }
        catch (JsonException e)
        {
            throw new InferenceInputException("$", $"not valid JSON ({e.Message})", e);
        }

        using (document)
        {
            var root = document.RootElement;
            var request = new ModelInferRequest();
            if (root.ValueKind == JsonValueKind.Array)
            {
                var only = SingleModelInput(model, "$", "a bare array is the data of a single-input model");
                AddTensor(request, only.Name, only.Datatype, shape: null, JsonTensorData.Read(root, "$"), only, "$");
            }
            else
            {
                ReadRequest(root, model, request);
            }

            if (model is not null)
            {
                CheckAllModelInputsGiven(request, model);
            }

            return request;
        }
    }

    private static void ReadRequest(JsonElement root, ModelMetadataResponse? model, ModelInferRequest request)
    {
        JsonParameters.ExpectObject(root, "$");
        JsonParameters.ExpectOnly(root, "", "id", "parameters", "inputs", "outputs");
        if (root.TryGetProperty("id", out var id))
        {
            request.Id = ExpectString(id, "id");
        }

        if (root.TryGetProperty("parameters", out var parameters))
        {
            JsonParameters.Read(parameters, "parameters", request.Parameters);
        }

        if (!root.TryGetProperty("inputs", out var inputs))
        {
            throw new InferenceInputException("inputs", "missing; a request needs at least one input");
        }

        if (inputs.ValueKind != JsonValueKind.Array)
        {
            throw new InferenceInputException("inputs", $"must be an array, found {JsonText.Kind(inputs)}");
        }

        if (inputs.GetArrayLength() == 0)
        {
            throw new InferenceInputException("inputs", "empty; a request needs at least one input");
        }

        var index = 0;
        foreach (var input in inputs.EnumerateArray())
        {
            ReadInput(input, $"inputs[{index++}]", inputs.GetArrayLength(), model, request);
        }

        if (root.TryGetProperty("outputs", out var outputs))
        {
            JsonRequestedOutputs.Read(outputs, model, request);
        }
    }

    private static void ReadInput(JsonElement input, string path, int inputCount, ModelMetadataResponse? model, ModelInferRequest request)
    {
        JsonParameters.ExpectObject(input, path);
        JsonParameters.ExpectOnly(input, path, "name", "shape", "datatype", "parameters", "data");
        var name = input.TryGetProperty("name", out var nameElement) ? ExpectString(nameElement, $"{path}.name") : null;
        var metadata = FindModelInput(model, name, inputCount, $"{path}.name");
        name ??= metadata!.Name;
        if (request.Inputs.Any(i => i.Name == name))
        {
            throw new InferenceInputException($"{path}.name", $"duplicate input '{name}'");
        }

        var datatype = metadata?.Datatype;
        if (input.TryGetProperty("datatype", out var datatypeElement))
        {
            datatype = ExpectString(datatypeElement, $"{path}.datatype");
            if (TensorDataTypes.ElementSize(datatype) < 0)
            {
                throw new InferenceInputException($"{path}.datatype", TensorDataTypes.DescribeUnknown(datatype));
            }

            if (metadata is not null && datatype != metadata.Datatype)
            {
                throw new InferenceInputException($"{path}.datatype", $"{datatype}, but the model's input '{name}' takes {metadata.Datatype}");
            }
        }
        else if (datatype is null)
        {
            throw new InferenceInputException($"{path}.datatype", "missing; without the model's metadata every input needs one");
        }

        if (!input.TryGetProperty("data", out var data))
        {
            throw new InferenceInputException($"{path}.data", "missing");
        }

        var shape = input.TryGetProperty("shape", out var shapeElement) ? ReadShape(shapeElement, $"{path}.shape") : null;
        var tensor = AddTensor(request, name, datatype, shape, JsonTensorData.Read(data, $"{path}.data"), metadata, $"{path}.shape");
        if (input.TryGetProperty("parameters", out var parameters))
        {
            if (parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("binary_data_size", out _))
            {
                throw new InferenceInputException(
                    $"{path}.parameters.binary_data_size", "binary tensor data cannot come from a JSON file; put the values in 'data'");
            }

            JsonParameters.Read(parameters, $"{path}.parameters", tensor.Parameters);
        }
    }

    // The model's input a request input refers to: by name, or the only one when the name is left out.
    private static TensorMetadata? FindModelInput(ModelMetadataResponse? model, string? name, int inputCount, string path)
    {
        if (name is null)
        {
            if (inputCount != 1)
            {
                throw new InferenceInputException(path, "missing; only a request with a single input may leave it out");
            }

            return SingleModelInput(model, path, "missing; it may be left out only for a single-input model");
        }

        return model is null
            ? null
            : model.Inputs.FirstOrDefault(i => i.Name == name)
                ?? throw new InferenceInputException(path, $"model '{model.Name}' has no input '{name}' (its inputs: {Names(model.Inputs)})");
    }

    private static ModelInferRequest.Types.InferInputTensor AddTensor(
        ModelInferRequest request, string name, string datatype, long[]? shape, JsonTensorData data, TensorMetadata? metadata, string shapePath)
    {
        shape ??= metadata is null ? data.NestedShape : JsonShapes.Infer(metadata, data, shapePath);
        var count = JsonShapes.ElementCount(shape, shapePath);
        if (count != data.Values.Count)
        {
            throw new InferenceInputException(data.Path, $"{data.Values.Count} values, but shape {JsonShapes.Format(shape)} holds {count}");
        }

        if (metadata is not null)
        {
            JsonShapes.CheckFits(shape, metadata, shapePath);
        }

        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = name, Datatype = datatype };
        tensor.Shape.Add(shape);
        request.Inputs.Add(tensor);
        request.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(JsonTensorEncoder.Encode(data, datatype)));
        return tensor;
    }

    private static long[] ReadShape(JsonElement shape, string path)
    {
        if (shape.ValueKind != JsonValueKind.Array)
        {
            throw new InferenceInputException(path, $"must be an array of dimensions, found {JsonText.Kind(shape)}");
        }

        var dims = new long[shape.GetArrayLength()];
        var i = 0;
        foreach (var dim in shape.EnumerateArray())
        {
            if (dim.ValueKind != JsonValueKind.Number || !dim.TryGetInt64(out dims[i]) || dims[i] < 0)
            {
                throw new InferenceInputException($"{path}[{i}]", $"a dimension must be a whole number of at least 0, found {JsonText.Raw(dim)}");
            }

            i++;
        }

        return dims;
    }

    private static TensorMetadata SingleModelInput(ModelMetadataResponse? model, string path, string problem)
    {
        if (model is null)
        {
            throw new InferenceInputException(path, $"{problem}, and the model's metadata is not known");
        }

        return model.Inputs.Count == 1
            ? model.Inputs[0]
            : throw new InferenceInputException(path, $"{problem}; model '{model.Name}' has {model.Inputs.Count} inputs ({Names(model.Inputs)})");
    }

    private static void CheckAllModelInputsGiven(ModelInferRequest request, ModelMetadataResponse model)
    {
        foreach (var input in model.Inputs)
        {
            if (!request.Inputs.Any(i => i.Name == input.Name))
            {
                throw new InferenceInputException("inputs", $"model '{model.Name}' input '{input.Name}' is missing");
            }
        }
    }

    internal static string ExpectString(JsonElement element, string path) => element.ValueKind == JsonValueKind.String
        ? element.GetString()!
        : throw new InferenceInputException(path, $"must be a string, found {JsonText.Kind(element)}");

    internal static string Names(IEnumerable<TensorMetadata> tensors) => string.Join(", ", tensors.Select(t => t.Name));
}
