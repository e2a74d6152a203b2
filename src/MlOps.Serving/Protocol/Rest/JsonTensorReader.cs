using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MlOps.Contracts.Inference;
using MlOps.Serving.Protocol.Tensors;

namespace MlOps.Serving.Protocol.Rest;

/// <summary>
/// Converts the <c>data</c> of a JSON input tensor, flat (<c>[1,2,3,4]</c>) or nested (<c>[[1,2],[3,4]]</c>) in
/// row-major order, into raw little-endian bytes. Numbers must fit the datatype exactly (no rounding of integers);
/// floats also take "NaN", "Infinity" and "-Infinity"; BOOL takes true/false (or 0/1); BYTES takes strings (UTF-8).
/// </summary>
internal static class JsonTensorReader
{
    /// <exception cref="Models.InferenceException">InvalidArgument naming the input and the element.</exception>
    public static byte[] Read(string name, string dataType, IReadOnlyList<long> shape, long count, JsonElement data)
    {
        if (data.ValueKind != JsonValueKind.Array)
        {
            throw TensorLayout.Invalid($"input '{name}' data must be a JSON array");
        }

        // Counting first bounds the allocation by the JSON text, whatever the shape claims.
        var leaves = CountLeaves(data);
        if (leaves != count)
        {
            throw TensorLayout.Invalid($"input '{name}' data has {leaves} elements but shape {TensorLayout.Format(shape)} needs {count}");
        }

        if (dataType == TensorDataTypes.Bytes)
        {
            var writer = new ArrayBufferWriter<byte>();
            long index = 0;
            foreach (var element in Leaves(data))
            {
                if (element.ValueKind != JsonValueKind.String)
                {
                    throw Bad(name, dataType, index, element);
                }

                var bytes = Encoding.UTF8.GetBytes(element.GetString()!);
                BinaryPrimitives.WriteUInt32LittleEndian(writer.GetSpan(4), (uint)bytes.Length);
                writer.Advance(4);
                writer.Write(bytes);
                index++;
            }

            return writer.WrittenSpan.ToArray();
        }

        var size = TensorDataTypes.ElementSize(dataType);
        if (count * size > Array.MaxLength)
        {
            throw TensorLayout.Invalid($"input '{name}' with shape {TensorLayout.Format(shape)} is too large");
        }

        var result = new byte[count * size];
        long i = 0;
        foreach (var element in Leaves(data))
        {
            WriteElement(name, dataType, i, element, result.AsSpan((int)(i * size), size));
            i++;
        }

        return result;
    }

    private static long CountLeaves(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            return 1;
        }

        long count = 0;
        foreach (var item in element.EnumerateArray())
        {
            count += CountLeaves(item);
        }

        return count;
    }

    private static IEnumerable<JsonElement> Leaves(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            yield return element;
            yield break;
        }

        foreach (var item in element.EnumerateArray())
        {
            foreach (var leaf in Leaves(item))
            {
                yield return leaf;
            }
        }
    }

    private static void WriteElement(string name, string dataType, long index, JsonElement e, Span<byte> destination)
    {
        switch (dataType)
        {
            case TensorDataTypes.Bool:
                destination[0] = e.ValueKind switch
                {
                    JsonValueKind.True => 1,
                    JsonValueKind.False => 0,
                    JsonValueKind.Number when e.TryGetInt32(out var v) && v is 0 or 1 => (byte)v,
                    _ => throw Bad(name, dataType, index, e),
                };
                break;
            case TensorDataTypes.Int8: destination[0] = unchecked((byte)(sbyte)Integer(name, dataType, index, e, sbyte.MinValue, sbyte.MaxValue)); break;
            case TensorDataTypes.Int16: BinaryPrimitives.WriteInt16LittleEndian(destination, (short)Integer(name, dataType, index, e, short.MinValue, short.MaxValue)); break;
            case TensorDataTypes.Int32: BinaryPrimitives.WriteInt32LittleEndian(destination, (int)Integer(name, dataType, index, e, int.MinValue, int.MaxValue)); break;
            case TensorDataTypes.Int64: BinaryPrimitives.WriteInt64LittleEndian(destination, Integer(name, dataType, index, e, long.MinValue, long.MaxValue)); break;
            case TensorDataTypes.UInt8: destination[0] = (byte)Integer(name, dataType, index, e, 0, byte.MaxValue); break;
            case TensorDataTypes.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)Integer(name, dataType, index, e, 0, ushort.MaxValue)); break;
            case TensorDataTypes.UInt32: BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)Integer(name, dataType, index, e, 0, uint.MaxValue)); break;
            case TensorDataTypes.UInt64:
                BinaryPrimitives.WriteUInt64LittleEndian(destination, e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out var u) ? u : throw Bad(name, dataType, index, e));
                break;
            case TensorDataTypes.Fp16: BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)Floating(name, dataType, index, e, (double)Half.MaxValue)); break;
            case TensorDataTypes.Fp32: BinaryPrimitives.WriteSingleLittleEndian(destination, (float)Floating(name, dataType, index, e, float.MaxValue)); break;
            case TensorDataTypes.Bf16: BinaryPrimitives.WriteUInt16LittleEndian(destination, BFloat16.FromSingle((float)Floating(name, dataType, index, e, float.MaxValue))); break;
            default: BinaryPrimitives.WriteDoubleLittleEndian(destination, Floating(name, dataType, index, e, double.MaxValue)); break;
        }
    }

    private static long Integer(string name, string dataType, long index, JsonElement e, long min, long max) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var value) && value >= min && value <= max
            ? value
            : throw Bad(name, dataType, index, e);

    private static double Floating(string name, string dataType, long index, JsonElement e, double max)
    {
        var value = e.ValueKind switch
        {
            JsonValueKind.Number => e.GetDouble(),
            JsonValueKind.String => e.GetString()!.ToUpperInvariant() switch
            {
                "NAN" => double.NaN,
                "INFINITY" or "INF" or "+INFINITY" or "+INF" => double.PositiveInfinity,
                "-INFINITY" or "-INF" => double.NegativeInfinity,
                _ => throw Bad(name, dataType, index, e),
            },
            _ => throw Bad(name, dataType, index, e),
        };

        // A finite number the datatype cannot hold is refused rather than turned into infinity.
        return double.IsFinite(value) && Math.Abs(value) > max ? throw Bad(name, dataType, index, e) : value;
    }

    private static Models.InferenceException Bad(string name, string dataType, long index, JsonElement e)
    {
        var text = e.GetRawText();
        return TensorLayout.Invalid($"input '{name}' element {index} ({(text.Length > 40 ? text[..40] + "..." : text)}) is not a valid {dataType}");
    }
}
