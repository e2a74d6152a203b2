using System.Buffers.Binary;
using MlOps.Contracts.Inference;
using MlOps.Serving.Models;

namespace MlOps.Serving.Protocol.Tensors;

/// <summary>
/// Checks that do not depend on the model: a known datatype, a shape without negative dimensions, and data
/// whose byte length is exactly what shape × datatype implies (for BYTES: well-formed length prefixes).
/// Every failure is <see cref="InferenceErrorKind.InvalidArgument"/> naming the tensor.
/// </summary>
internal static class TensorLayout
{
    /// <summary>Validates the datatype and shape of <paramref name="name"/> and returns its element count.</summary>
    public static long ElementCount(string name, string dataType, IReadOnlyList<long> shape)
    {
        if (string.IsNullOrEmpty(dataType))
        {
            throw Invalid($"input '{name}' has no datatype");
        }

        if (!TensorDataTypes.IsKnown(dataType))
        {
            throw Invalid($"input '{name}' has unknown datatype '{dataType}' (expected one of {string.Join(", ", TensorDataTypes.All)})");
        }

        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw Invalid($"input '{name}' has a negative dimension in shape {Format(shape)}");
            }

            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException)
            {
                throw Invalid($"input '{name}' shape {Format(shape)} has too many elements");
            }
        }

        return count;
    }

    /// <summary>Validates a whole tensor: datatype, shape and data length.</summary>
    public static void Validate(InferenceTensor tensor)
    {
        var count = ElementCount(tensor.Name, tensor.DataType, tensor.Shape);
        ValidateData(tensor.Name, tensor.DataType, tensor.Shape, count, tensor.Data.Span);
    }

    /// <summary>Validates the data of a tensor whose header <see cref="ElementCount"/> accepted.</summary>
    public static void ValidateData(string name, string dataType, IReadOnlyList<long> shape, long count, ReadOnlySpan<byte> data)
    {
        if (dataType == TensorDataTypes.Bytes)
        {
            ValidateBytes(name, count, data);
            return;
        }

        var size = TensorDataTypes.ElementSize(dataType);
        if (count > long.MaxValue / size || count * size != data.Length)
        {
            var expected = count > long.MaxValue / size ? "more than 2^63" : (count * size).ToString(System.Globalization.CultureInfo.InvariantCulture);
            throw Invalid($"input '{name}' with shape {Format(shape)} and datatype {dataType} needs {expected} bytes, got {data.Length}");
        }
    }

    /// <summary>A BYTES tensor is <paramref name="count"/> elements, each a 4-byte little-endian length and that many bytes.</summary>
    public static void ValidateBytes(string name, long count, ReadOnlySpan<byte> data)
    {
        var offset = 0;
        for (long i = 0; i < count; i++)
        {
            if (data.Length - offset < 4)
            {
                throw Invalid($"input '{name}' BYTES data is truncated: element {i} of {count} has no 4-byte length prefix");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]);
            offset += 4;
            if (length > (uint)(data.Length - offset))
            {
                throw Invalid($"input '{name}' BYTES data is truncated: element {i} of {count} declares {length} bytes, {data.Length - offset} remain");
            }

            offset += (int)length;
        }

        if (offset != data.Length)
        {
            throw Invalid($"input '{name}' BYTES data has {data.Length - offset} bytes after its {count} elements");
        }
    }

    /// <summary>A shape as the error messages print it, e.g. <c>[2,4]</c>.</summary>
    public static string Format(IEnumerable<long> shape) => "[" + string.Join(",", shape) + "]";

    public static InferenceException Invalid(string message) => new(InferenceErrorKind.InvalidArgument, message);
}
