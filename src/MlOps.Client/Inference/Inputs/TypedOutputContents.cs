using System.Buffers.Binary;
using Google.Protobuf;
using MlOps.Contracts.Inference;
using OutputTensor = MlOps.Contracts.Inference.ModelInferResponse.Types.InferOutputTensor;

namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// Converts an output's typed <c>contents</c> into the raw form, for servers that answer without
/// <c>raw_output_contents</c>. Narrow integers travel widened (INT8 in <c>int_contents</c>) and are narrowed back.
/// </summary>
internal static class TypedOutputContents
{
    public static ReadOnlyMemory<byte> ToRaw(OutputTensor output)
    {
        var contents = output.Contents ?? new();
        var size = TensorDataTypes.ElementSize(output.Datatype);
        return output.Datatype switch
        {
            TensorDataTypes.Bool => Pack(contents.BoolContents, size, (span, v) => span[0] = v ? (byte)1 : (byte)0),
            TensorDataTypes.UInt8 => Pack(contents.UintContents, size, (span, v) => span[0] = (byte)v),
            TensorDataTypes.UInt16 => Pack(contents.UintContents, size, (span, v) => BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)v)),
            TensorDataTypes.UInt32 => Pack(contents.UintContents, size, BinaryPrimitives.WriteUInt32LittleEndian),
            TensorDataTypes.UInt64 => Pack(contents.Uint64Contents, size, BinaryPrimitives.WriteUInt64LittleEndian),
            TensorDataTypes.Int8 => Pack(contents.IntContents, size, (span, v) => span[0] = (byte)(sbyte)v),
            TensorDataTypes.Int16 => Pack(contents.IntContents, size, (span, v) => BinaryPrimitives.WriteInt16LittleEndian(span, (short)v)),
            TensorDataTypes.Int32 => Pack(contents.IntContents, size, BinaryPrimitives.WriteInt32LittleEndian),
            TensorDataTypes.Int64 => Pack(contents.Int64Contents, size, BinaryPrimitives.WriteInt64LittleEndian),
            TensorDataTypes.Fp32 => Pack(contents.Fp32Contents, size, BinaryPrimitives.WriteSingleLittleEndian),
            TensorDataTypes.Fp64 => Pack(contents.Fp64Contents, size, BinaryPrimitives.WriteDoubleLittleEndian),
            TensorDataTypes.Bytes => PackBytes(contents.BytesContents),
            _ => throw new InvalidDataException(
                $"output '{output.Name}' is {output.Datatype} without raw_output_contents; {output.Datatype} has no typed field"),
        };
    }

    private static byte[] Pack<T>(IReadOnlyList<T> values, int size, SpanAction<T> write)
    {
        var bytes = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            write(bytes.AsSpan(i * size, size), values[i]);
        }

        return bytes;
    }

    private static byte[] PackBytes(IReadOnlyList<ByteString> values)
    {
        var bytes = new byte[values.Sum(v => 4 + v.Length)];
        var at = 0;
        foreach (var value in values)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), (uint)value.Length);
            value.Span.CopyTo(bytes.AsSpan(at + 4));
            at += 4 + value.Length;
        }

        return bytes;
    }

    private delegate void SpanAction<in T>(Span<byte> target, T value);
}
