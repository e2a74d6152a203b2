using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using MlOps.Contracts.Inference;
using MlOps.Serving.Models;
using MlOps.Serving.Protocol.Tensors;

namespace MlOps.Serving.Protocol.Rest;

/// <summary>
/// Writes an output tensor's raw little-endian bytes as a flat, row-major JSON array. Non-finite floats become
/// the strings "NaN", "Infinity" and "-Infinity" (JSON has no literal for them); BYTES elements become UTF-8 strings.
/// </summary>
internal static class JsonTensorWriter
{
    /// <exception cref="InferenceException">Internal when the model returned an unknown datatype or malformed BYTES.</exception>
    public static void Write(Utf8JsonWriter writer, InferenceTensor output)
    {
        var data = output.Data.Span;
        var size = TensorDataTypes.ElementSize(output.DataType);
        if (size < 0)
        {
            throw new InferenceException(InferenceErrorKind.Internal, $"output '{output.Name}' has unknown datatype '{output.DataType}'");
        }

        writer.WriteStartArray();
        if (size == 0)
        {
            WriteBytes(writer, output.Name, data);
        }
        else
        {
            for (var offset = 0; offset + size <= data.Length; offset += size)
            {
                WriteElement(writer, output.DataType, data.Slice(offset, size));
            }
        }

        writer.WriteEndArray();
    }

    private static void WriteElement(Utf8JsonWriter writer, string dataType, ReadOnlySpan<byte> e)
    {
        switch (dataType)
        {
            case TensorDataTypes.Bool: writer.WriteBooleanValue(e[0] != 0); break;
            case TensorDataTypes.Int8: writer.WriteNumberValue(unchecked((sbyte)e[0])); break;
            case TensorDataTypes.Int16: writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(e)); break;
            case TensorDataTypes.Int32: writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(e)); break;
            case TensorDataTypes.Int64: writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(e)); break;
            case TensorDataTypes.UInt8: writer.WriteNumberValue(e[0]); break;
            case TensorDataTypes.UInt16: writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(e)); break;
            case TensorDataTypes.UInt32: writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(e)); break;
            case TensorDataTypes.UInt64: writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(e)); break;
            case TensorDataTypes.Fp16: WriteFloat(writer, (float)BinaryPrimitives.ReadHalfLittleEndian(e)); break;
            case TensorDataTypes.Fp32: WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(e)); break;
            case TensorDataTypes.Bf16: WriteFloat(writer, BFloat16.ToSingle(BinaryPrimitives.ReadUInt16LittleEndian(e))); break;
            default: WriteDouble(writer, BinaryPrimitives.ReadDoubleLittleEndian(e)); break;
        }
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(NonFinite(value));
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(NonFinite(value));
        }
    }

    private static string NonFinite(double value) =>
        double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";

    private static void WriteBytes(Utf8JsonWriter writer, string name, ReadOnlySpan<byte> data)
    {
        var offset = 0;
        while (offset < data.Length)
        {
            var remaining = data.Length - offset;
            var length = remaining >= 4 ? BinaryPrimitives.ReadUInt32LittleEndian(data[offset..]) : 0;
            if (remaining < 4 || length > (uint)(remaining - 4))
            {
                throw new InferenceException(InferenceErrorKind.Internal, $"output '{name}' has malformed BYTES data");
            }

            writer.WriteStringValue(Encoding.UTF8.GetString(data.Slice(offset + 4, (int)length)));
            offset += 4 + (int)length;
        }
    }
}
