using Google.Protobuf;
using MlOps.Contracts.Inference;

namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// One encoded model input: its tensor description (name, datatype, shape) and its data as the protocol's raw
/// form, flattened row-major little-endian bytes for <see cref="ModelInferRequest.RawInputContents"/>.
/// </summary>
/// <param name="Tensor">Name, datatype and shape; <c>contents</c> is left empty.</param>
/// <param name="Contents">The raw bytes, in the same order as the tensor's elements.</param>
public sealed record RawInput(ModelInferRequest.Types.InferInputTensor Tensor, ByteString Contents)
{
    /// <summary>Appends the tensor to <c>inputs</c> and its bytes to <c>raw_input_contents</c>, keeping both in step.</summary>
    public void AddTo(ModelInferRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Inputs.Count != request.RawInputContents.Count)
        {
            throw new ArgumentException(
                $"the request has {request.Inputs.Count} inputs but {request.RawInputContents.Count} raw contents; raw and typed inputs cannot be mixed",
                nameof(request));
        }

        request.Inputs.Add(Tensor);
        request.RawInputContents.Add(Contents);
    }
}
