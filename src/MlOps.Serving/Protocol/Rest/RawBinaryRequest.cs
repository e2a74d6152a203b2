using MlOps.Contracts.Inference;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol.Tensors;

namespace MlOps.Serving.Protocol.Rest;

/// <summary>
/// The binary extension's "raw binary request" (<c>Inference-Header-Content-Length: 0</c>): the body is the bytes of
/// the model's only input, treated as batch 1, with at most one other variable dimension inferred from the length.
/// Every output comes back binary.
/// </summary>
internal static class RawBinaryRequest
{
    /// <exception cref="InferenceException">InvalidArgument when the model or the body does not fit this form.</exception>
    public static RestInferRequest Read(ModelDescriptor descriptor, string? version, ReadOnlyMemory<byte> body)
    {
        if (descriptor.Inputs.Count != 1)
        {
            throw TensorLayout.Invalid(
                $"a raw binary request needs a model with exactly one input; '{descriptor.Name}' has {descriptor.Inputs.Count}");
        }

        var spec = descriptor.Inputs[0];
        var size = TensorDataTypes.ElementSize(spec.DataType);
        if (size <= 0)
        {
            throw TensorLayout.Invalid($"a raw binary request cannot carry input '{spec.Name}' of datatype {spec.DataType}");
        }

        var shape = (long[])spec.Shape.Clone();
        if (descriptor.MaxBatchSize > 0 && shape.Length > 0 && shape[0] < 0)
        {
            shape[0] = 1;
        }

        var variable = Array.FindAll(Enumerable.Range(0, shape.Length).ToArray(), i => shape[i] < 0);
        if (variable.Length > 1)
        {
            throw TensorLayout.Invalid(
                $"a raw binary request needs at most one variable dimension; input '{spec.Name}' has shape {TensorLayout.Format(spec.Shape)}");
        }

        if (variable.Length == 1)
        {
            var known = shape.Where(d => d >= 0).Aggregate(1L, (a, d) => a * d) * size;
            if (known == 0 || body.Length % known != 0)
            {
                throw TensorLayout.Invalid(
                    $"a raw binary body of {body.Length} bytes does not fit input '{spec.Name}' with shape {TensorLayout.Format(spec.Shape)} and datatype {spec.DataType}");
            }

            shape[variable[0]] = body.Length / known;
        }

        var tensor = new InferenceTensor(spec.Name, spec.DataType, shape, body);
        TensorLayout.Validate(tensor);
        return new RestInferRequest(new InferenceRequest(descriptor.Name, version, [tensor]), OutputEncoding.AllBinary);
    }
}
