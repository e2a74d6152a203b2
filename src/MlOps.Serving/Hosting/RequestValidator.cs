using MlOps.Serving.Models;

namespace MlOps.Serving.Hosting;

/// <summary>
/// Checks a request against a version's signature before it is queued, so a bad request never reaches a batch:
/// every input present once and known, datatype, rank, each static dimension, one batch size shared by all inputs
/// and within the limit, and a byte length equal to elements × element size. Each failure is an
/// <see cref="InferenceException"/> (InvalidArgument) naming the tensor and what was expected and received.
/// </summary>
internal sealed class RequestValidator(OnnxSignature signature, string name, string version, int maxBatchSize)
{
    /// <summary>The request with its inputs in the model's input order, and its batch size (1 for an unbatched model).</summary>
    public (InferenceRequest Request, int Rows) Validate(InferenceRequest request)
    {
        var inputs = request.Inputs ?? throw Invalid("the request has no inputs");
        var ordered = new InferenceTensor[signature.Inputs.Count];
        foreach (var tensor in inputs)
        {
            var index = signature.InputIndex(tensor.Name);
            if (index < 0)
            {
                throw Invalid($"model '{name}' version '{version}' has no input '{tensor.Name}'; its inputs are: {string.Join(", ", signature.InputNames)}");
            }

            if (ordered[index] is not null)
            {
                throw Invalid($"input '{tensor.Name}' is given more than once");
            }

            ordered[index] = tensor;
        }

        var rows = -1L;
        string? rowsFrom = null;
        for (var i = 0; i < ordered.Length; i++)
        {
            var spec = signature.Inputs[i];
            var tensor = ordered[i] ?? throw Invalid($"input '{spec.Name}' is missing; model '{name}' version '{version}' needs: {string.Join(", ", signature.InputNames)}");
            var batch = CheckTensor(tensor, spec);
            if (!signature.Batchable)
            {
                continue;
            }

            if (rowsFrom is null)
            {
                (rows, rowsFrom) = (batch, spec.Name);
            }
            else if (batch != rows)
            {
                throw Invalid($"input '{spec.Name}' has batch size {batch}, input '{rowsFrom}' has {rows}; all inputs must share the batch dimension");
            }
        }

        if (signature.Batchable && rows > maxBatchSize)
        {
            throw Invalid($"input '{rowsFrom}': batch size {rows} exceeds the maximum batch size {maxBatchSize} of model '{name}' version '{version}'");
        }

        foreach (var output in request.RequestedOutputs ?? [])
        {
            if (signature.OutputIndex(output) < 0)
            {
                throw Invalid($"requested output '{output}' is not an output of model '{name}' version '{version}'; its outputs are: {string.Join(", ", signature.OutputNames)}");
            }
        }

        return (request with { Inputs = ordered }, signature.Batchable ? (int)rows : 1);
    }

    /// <summary>Checks one tensor; returns its first dimension.</summary>
    private static long CheckTensor(InferenceTensor tensor, TensorBinding spec)
    {
        if (!string.Equals(tensor.DataType, spec.DataType, StringComparison.Ordinal))
        {
            throw Invalid($"input '{spec.Name}': datatype {tensor.DataType} does not match the model's {spec.DataType}");
        }

        var shape = tensor.Shape ?? [];
        if (shape.Length != spec.Shape.Length)
        {
            throw Invalid($"input '{spec.Name}': shape {Describe(shape)} has rank {shape.Length}; the model expects rank {spec.Shape.Length} {Describe(spec.Shape)}");
        }

        for (var d = 0; d < shape.Length; d++)
        {
            if (shape[d] < 0 || (d == 0 && spec.Shape[0] == -1 && shape[0] == 0))
            {
                throw Invalid($"input '{spec.Name}': dimension {d} of shape {Describe(shape)} must be {(d == 0 ? "at least 1" : "0 or more")}, got {shape[d]}");
            }

            if (spec.Shape[d] >= 0 && shape[d] != spec.Shape[d])
            {
                throw Invalid($"input '{spec.Name}': shape {Describe(shape)} does not match the model's {Describe(spec.Shape)} at dimension {d} (expected {spec.Shape[d]}, got {shape[d]})");
            }
        }

        long elements;
        try
        {
            elements = shape.Aggregate(1L, (a, b) => checked(a * b));
            _ = checked(elements * spec.ElementSize);
        }
        catch (OverflowException)
        {
            throw Invalid($"input '{spec.Name}': shape {Describe(shape)} is too large");
        }

        if (tensor.Data.Length != elements * spec.ElementSize)
        {
            throw Invalid($"input '{spec.Name}': {spec.DataType} {Describe(shape)} needs {elements * spec.ElementSize} bytes ({elements} elements × {spec.ElementSize}), got {tensor.Data.Length}");
        }

        return shape.Length > 0 ? shape[0] : 1;
    }

    private static string Describe(long[] shape) => $"[{string.Join(",", shape)}]";

    private static InferenceException Invalid(string message) => new(InferenceErrorKind.InvalidArgument, message);
}
