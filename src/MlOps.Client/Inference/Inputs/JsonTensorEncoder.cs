using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MlOps.Contracts.Inference;

namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// Encodes JSON tensor values as the protocol's raw bytes: little-endian, BOOL one byte, BYTES as a 4-byte
/// little-endian length and the UTF-8 bytes per element. Integers must be whole and fit the datatype; floats
/// also take the strings <c>"NaN"</c>, <c>"Infinity"</c> and <c>"-Infinity"</c>; BOOL takes true/false or 0/1.
/// </summary>
internal static class JsonTensorEncoder
{
    /// <summary>The raw bytes of <paramref name="data"/> as <paramref name="dataType"/> (a known datatype).</summary>
    public static byte[] Encode(JsonTensorData data, string dataType)
    {
        var values = data.Values;
        if (dataType == TensorDataTypes.Bytes)
        {
            return EncodeBytes(data);
        }

        var size = TensorDataTypes.ElementSize(dataType);
        var bytes = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            var target = bytes.AsSpan(i * size, size);
            var value = values[i];
            switch (dataType)
            {
                case TensorDataTypes.Bool:
                    target[0] = ReadBool(value, data, i) ? (byte)1 : (byte)0;
                    break;
                case TensorDataTypes.UInt8:
                    target[0] = (byte)ReadUnsigned(value, byte.MaxValue, dataType, data, i);
                    break;
                case TensorDataTypes.UInt16:
                    BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)ReadUnsigned(value, ushort.MaxValue, dataType, data, i));
                    break;
                case TensorDataTypes.UInt32:
                    BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)ReadUnsigned(value, uint.MaxValue, dataType, data, i));
                    break;
                case TensorDataTypes.UInt64:
                    BinaryPrimitives.WriteUInt64LittleEndian(target, ReadUnsigned(value, ulong.MaxValue, dataType, data, i));
                    break;
                case TensorDataTypes.Int8:
                    target[0] = (byte)(sbyte)ReadSigned(value, sbyte.MinValue, sbyte.MaxValue, dataType, data, i);
                    break;
                case TensorDataTypes.Int16:
                    BinaryPrimitives.WriteInt16LittleEndian(target, (short)ReadSigned(value, short.MinValue, short.MaxValue, dataType, data, i));
                    break;
                case TensorDataTypes.Int32:
                    BinaryPrimitives.WriteInt32LittleEndian(target, (int)ReadSigned(value, int.MinValue, int.MaxValue, dataType, data, i));
                    break;
                case TensorDataTypes.Int64:
                    BinaryPrimitives.WriteInt64LittleEndian(target, ReadSigned(value, long.MinValue, long.MaxValue, dataType, data, i));
                    break;
                case TensorDataTypes.Fp16:
                    var half = (Half)ReadFloat(value, dataType, data, i);
                    CheckFinite(Half.IsInfinity(half), value, dataType, data, i);
                    BinaryPrimitives.WriteHalfLittleEndian(target, half);
                    break;
                case TensorDataTypes.Bf16:
                    var single = (float)ReadFloat(value, dataType, data, i);
                    var brain = ToBFloat16(single);
                    CheckFinite((brain & 0x7FFF) == 0x7F80, value, dataType, data, i);
                    BinaryPrimitives.WriteUInt16LittleEndian(target, brain);
                    break;
                case TensorDataTypes.Fp32:
                    var fp32 = (float)ReadFloat(value, dataType, data, i);
                    CheckFinite(float.IsInfinity(fp32), value, dataType, data, i);
                    BinaryPrimitives.WriteSingleLittleEndian(target, fp32);
                    break;
                default:
                    BinaryPrimitives.WriteDoubleLittleEndian(target, ReadFloat(value, dataType, data, i));
                    break;
            }
        }

        return bytes;
    }

    /// <summary>
    /// Rounds an FP32 value to the nearest BF16 (ties to even), which is its upper 16 bits after rounding.
    /// </summary>
    internal static ushort ToBFloat16(float value)
    {
        if (float.IsNaN(value))
        {
            return 0x7FC0;
        }

        var bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1)) >> 16);
    }

    private static byte[] EncodeBytes(JsonTensorData data)
    {
        using var buffer = new MemoryStream();
        Span<byte> length = stackalloc byte[4];
        for (var i = 0; i < data.Values.Count; i++)
        {
            var value = data.Values[i];
            if (value.ValueKind != JsonValueKind.String)
            {
                throw Fail(data, i, $"expected a string for BYTES, found {JsonText.Kind(value)}");
            }

            var utf8 = Encoding.UTF8.GetBytes(value.GetString()!);
            BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)utf8.Length);
            buffer.Write(length);
            buffer.Write(utf8);
        }

        return buffer.ToArray();
    }

    private static bool ReadBool(JsonElement value, JsonTensorData data, int index)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number when value.TryGetInt32(out var number) && number is 0 or 1:
                return number == 1;
            default:
                throw Fail(data, index, $"expected true or false (or 0 or 1) for BOOL, found {JsonText.Raw(value)}");
        }
    }

    private static long ReadSigned(JsonElement value, long min, long max, string dataType, JsonTensorData data, int index)
    {
        ExpectNumber(value, "an integer", dataType, data, index);
        if (value.TryGetInt64(out var whole) || TryWholeDouble(value, data, index, out whole))
        {
            if (whole >= min && whole <= max)
            {
                return whole;
            }
        }

        throw Fail(data, index, $"{JsonText.Raw(value)} does not fit {dataType} ({min} to {max})");
    }

    private static ulong ReadUnsigned(JsonElement value, ulong max, string dataType, JsonTensorData data, int index)
    {
        ExpectNumber(value, "an integer", dataType, data, index);
        if (value.TryGetUInt64(out var whole))
        {
            if (whole <= max)
            {
                return whole;
            }
        }
        else if (TryWholeDouble(value, data, index, out var signed) && signed >= 0 && (ulong)signed <= max)
        {
            return (ulong)signed;
        }

        throw Fail(data, index, $"{JsonText.Raw(value)} does not fit {dataType} (0 to {max})");
    }

    // Integers written as 2.0 or 1e3 (what numpy's float formatting gives) are accepted when exactly whole.
    private static bool TryWholeDouble(JsonElement value, JsonTensorData data, int index, out long whole)
    {
        whole = 0;
        if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            return false;
        }

        if (Math.Floor(number) != number)
        {
            throw Fail(data, index, $"{JsonText.Raw(value)} is not an integer");
        }

        // 2^63 itself does not fit a long; anything at or past it does not fit any signed type either.
        if (Math.Abs(number) >= 9.2233720368547758e18)
        {
            return false;
        }

        whole = (long)number;
        return true;
    }

    private static double ReadFloat(JsonElement value, string dataType, JsonTensorData data, int index)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString() switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                var other => throw Fail(data, index, $"\"{other}\" is not a number; {dataType} takes numbers, \"NaN\", \"Infinity\" and \"-Infinity\""),
            };
        }

        ExpectNumber(value, "a number", dataType, data, index);
        if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            throw Fail(data, index, $"{JsonText.Raw(value)} does not fit {dataType}");
        }

        return number;
    }

    private static void ExpectNumber(JsonElement value, string what, string dataType, JsonTensorData data, int index)
    {
        if (value.ValueKind != JsonValueKind.Number)
        {
            throw Fail(data, index, $"expected {what} for {dataType}, found {JsonText.Kind(value)}");
        }
    }

    // A finite JSON number that became infinite when narrowed is out of the datatype's range.
    private static void CheckFinite(bool becameInfinite, JsonElement value, string dataType, JsonTensorData data, int index)
    {
        if (becameInfinite && value.ValueKind == JsonValueKind.Number)
        {
            throw Fail(data, index, $"{JsonText.Raw(value)} does not fit {dataType}");
        }
    }

    private static InferenceInputException Fail(JsonTensorData data, int index, string problem) => new(data.PathOf(index), problem);
}
