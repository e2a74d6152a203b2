using Google.Protobuf;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol.Tensors;
using MlOps.Contracts.Inference;

namespace MlOps.Serving.Protocol.Grpc;

/// <summary>
/// Maps a <see cref="ModelInferRequest"/> to an <see cref="InferenceRequest"/>, enforcing the protocol rules that
/// do not depend on the model: unique input and output names, <c>raw_input_contents</c> all-or-nothing with one
/// entry per input, typed contents of the right field and element count, and byte lengths that match
/// shape × datatype. Raw contents are passed on without a copy.
/// </summary>
internal static class GrpcInferRequestReader
{
    /// <exception cref="InferenceException">InvalidArgument naming the offending field.</exception>
    public static InferenceRequest Read(ModelInferRequest request)
    {
        if (string.IsNullOrEmpty(request.ModelName))
        {
            throw TensorLayout.Invalid("model_name is required");
        }

        var raw = request.RawInputContents;
        if (raw.Count > 0 && raw.Count != request.Inputs.Count)
        {
            throw TensorLayout.Invalid(
                $"raw_input_contents has {raw.Count} entries but the request has {request.Inputs.Count} inputs; send one entry per input, in order");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var inputs = new List<InferenceTensor>(request.Inputs.Count);
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            if (string.IsNullOrEmpty(input.Name))
            {
                throw TensorLayout.Invalid($"input {i} has no name");
            }

            if (!names.Add(input.Name))
            {
                throw TensorLayout.Invalid($"input '{input.Name}' appears more than once");
            }

            inputs.Add(ReadInput(input, raw.Count > 0 ? raw[i] : null));
        }

        return new InferenceRequest(request.ModelName, ModelRepositoryLookup.NullIfEmpty(request.ModelVersion), inputs)
        {
            Id = ModelRepositoryLookup.NullIfEmpty(request.Id),
            RequestedOutputs = ReadRequestedOutputs(request),
        };
    }

    private static InferenceTensor ReadInput(ModelInferRequest.Types.InferInputTensor input, ByteString? raw)
    {
        var shape = input.Shape.ToArray();
        var count = TensorLayout.ElementCount(input.Name, input.Datatype, shape);
        ReadOnlyMemory<byte> data;
        if (raw is not null)
        {
            if (TypedContentsReader.HasAny(input.Contents))
            {
                throw TensorLayout.Invalid(
                    $"input '{input.Name}' sets contents while the request uses raw_input_contents; send every input one way");
            }

            data = raw.Memory;
        }
        else if (TypedContentsReader.HasAny(input.Contents))
        {
            data = TypedContentsReader.ToRawBytes(input.Name, input.Datatype, count, input.Contents);
        }
        else if (count == 0)
        {
            data = ReadOnlyMemory<byte>.Empty;
        }
        else
        {
            throw TensorLayout.Invalid($"input '{input.Name}' has no data: set contents or raw_input_contents");
        }

        TensorLayout.ValidateData(input.Name, input.Datatype, shape, count, data.Span);
        return new InferenceTensor(input.Name, input.Datatype, shape, data);
    }

    private static IReadOnlyList<string>? ReadRequestedOutputs(ModelInferRequest request)
    {
        if (request.Outputs.Count == 0)
        {
            return null;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var output in request.Outputs)
        {
            if (string.IsNullOrEmpty(output.Name))
            {
                throw TensorLayout.Invalid("a requested output has no name");
            }

            if (!names.Add(output.Name))
            {
                throw TensorLayout.Invalid($"output '{output.Name}' is requested more than once");
            }
        }

        return request.Outputs.Select(o => o.Name).ToList();
    }
}
