namespace MlOps.Serving.Models;

/// <summary>
/// One named tensor of a request or response: Open Inference Protocol datatype (<c>FP32</c>, <c>INT64</c>, ...),
/// shape including the batch dimension, and the elements as little-endian bytes in row-major order (exactly
/// what <c>raw_input_contents</c> / <c>raw_output_contents</c> and the binary REST extension carry).
/// </summary>
public sealed record InferenceTensor(string Name, string DataType, long[] Shape, ReadOnlyMemory<byte> Data);

/// <summary>An inference call on one model version, as the protocol layers hand it to the model.</summary>
public sealed record InferenceRequest(string ModelName, string? ModelVersion, IReadOnlyList<InferenceTensor> Inputs)
{
    /// <summary>The client's request id, echoed in the response.</summary>
    public string? Id { get; init; }

    /// <summary>Outputs the client asked for; null or empty means every output.</summary>
    public IReadOnlyList<string>? RequestedOutputs { get; init; }
}

/// <summary>What a model returns.</summary>
public sealed record InferenceResponse(string ModelName, string ModelVersion, IReadOnlyList<InferenceTensor> Outputs)
{
    public string? Id { get; init; }
}
