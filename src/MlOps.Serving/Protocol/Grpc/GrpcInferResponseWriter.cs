using Google.Protobuf;
using MlOps.Serving.Models;
using MlOps.Contracts.Inference;

namespace MlOps.Serving.Protocol.Grpc;

/// <summary>
/// Maps an <see cref="InferenceResponse"/> to a <see cref="ModelInferResponse"/> with every output in
/// <c>raw_output_contents</c>: tritonclient's <c>as_numpy</c> reads only that field, and it avoids a copy.
/// </summary>
internal static class GrpcInferResponseWriter
{
    public static ModelInferResponse Write(InferenceResponse response, string? requestId)
    {
        var message = new ModelInferResponse
        {
            ModelName = response.ModelName,
            ModelVersion = response.ModelVersion,
            Id = response.Id ?? requestId ?? string.Empty,
        };
        foreach (var output in response.Outputs)
        {
            var tensor = new ModelInferResponse.Types.InferOutputTensor { Name = output.Name, Datatype = output.DataType };
            tensor.Shape.AddRange(output.Shape);
            message.Outputs.Add(tensor);

            // The model hands over its output buffers; nothing writes to them after the response is built.
            message.RawOutputContents.Add(UnsafeByteOperations.UnsafeWrap(output.Data));
        }

        return message;
    }
}
