using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Google.Protobuf;
using MlOps.Client.Inference.Inputs;
using MlOps.Contracts.Inference;
using MlOps.Core.Datasets;

namespace MlOps.LoadTest.Payloads;

/// <summary>
/// Request bodies built once before the load starts, from real Fashion-MNIST test images normalised as the model
/// records: the serialized gRPC <c>ModelInferRequest</c> (raw input contents) and the REST JSON body of each. The
/// load cycles through them, so the generator spends no CPU on encoding while it measures.
/// </summary>
public sealed class PayloadSet
{
    private PayloadSet(byte[][] grpc, byte[][] rest, int batchSize)
    {
        Grpc = grpc;
        Rest = rest;
        BatchSize = batchSize;
    }

    /// <summary>Serialized <c>ModelInferRequest</c> messages.</summary>
    public IReadOnlyList<byte[]> Grpc { get; }

    /// <summary>UTF-8 JSON bodies for <c>POST /v2/models/{name}/infer</c>.</summary>
    public IReadOnlyList<byte[]> Rest { get; }

    public int BatchSize { get; }

    public int Count => Grpc.Count;

    /// <summary>
    /// Builds <paramref name="samples"/> ÷ batch payloads (at least one) from the test split in
    /// <paramref name="datasetDirectory"/>; each holds <paramref name="batchSize"/> consecutive images.
    /// </summary>
    /// <exception cref="DatasetException">The dataset files are missing or malformed.</exception>
    /// <exception cref="InferenceInputException">The model cannot take these images.</exception>
    public static PayloadSet Build(
        ModelDescription model, string modelName, string? version, string datasetDirectory, int samples, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var images = IdxFile.Read(Path.Combine(datasetDirectory, MnistFormat.FileNames[2]), expectedRank: 3);
        var (height, width) = (images.Dimensions[1], images.Dimensions[2]);
        var plane = height * width;
        var count = Math.Max(1, samples / batchSize);
        var grpc = new byte[count][];
        var rest = new byte[count][];
        for (var p = 0; p < count; p++)
        {
            var inputs = new RawInput[batchSize];
            for (var b = 0; b < batchSize; b++)
            {
                var index = ((p * batchSize) + b) % images.Count;
                var pixels = images.Data.AsSpan(index * plane, plane).ToArray();
                inputs[b] = ImageTensor.Create(new GrayscaleImage(width, height, pixels), model.Metadata, model.Preprocessing);
            }

            var batch = Stack(inputs);
            grpc[p] = GrpcRequest(batch, modelName, version);
            rest[p] = RestBody(batch);
        }

        return new PayloadSet(grpc, rest, batchSize);
    }

    /// <summary>Joins batch-1 inputs into one input whose first dimension is the batch.</summary>
    private static RawInput Stack(RawInput[] inputs)
    {
        var first = inputs[0].Tensor;
        var tensor = new ModelInferRequest.Types.InferInputTensor { Name = first.Name, Datatype = first.Datatype };
        tensor.Shape.Add(first.Shape);
        tensor.Shape[0] = inputs.Length;
        var size = inputs[0].Contents.Length;
        var bytes = new byte[size * inputs.Length];
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i].Contents.Span.CopyTo(bytes.AsSpan(i * size));
        }

        return new RawInput(tensor, UnsafeByteOperations.UnsafeWrap(bytes));
    }

    private static byte[] GrpcRequest(RawInput input, string modelName, string? version)
    {
        var request = new ModelInferRequest { ModelName = modelName, ModelVersion = version ?? string.Empty };
        input.AddTo(request);
        return request.ToByteArray();
    }

    private static byte[] RestBody(RawInput input)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartArray("inputs");
            json.WriteStartObject();
            json.WriteString("name", input.Tensor.Name);
            json.WriteString("datatype", input.Tensor.Datatype);
            json.WriteStartArray("shape");
            foreach (var dimension in input.Tensor.Shape)
            {
                json.WriteNumberValue(dimension);
            }

            json.WriteEndArray();
            json.WriteStartArray("data");
            var raw = input.Contents.Span;
            for (var offset = 0; offset < raw.Length; offset += sizeof(float))
            {
                // Shortest round-trip form: the server parses back exactly the value the gRPC payload carries.
                var value = BinaryPrimitives.ReadSingleLittleEndian(raw[offset..]);
                json.WriteRawValue(value.ToString("R", CultureInfo.InvariantCulture), skipInputValidation: true);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
