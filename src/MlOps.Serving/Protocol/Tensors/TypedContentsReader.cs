using System.Buffers.Binary;
using Google.Protobuf;
using Google.Protobuf.Collections;
using MlOps.Contracts.Inference;

namespace MlOps.Serving.Protocol.Tensors;

/// <summary>
/// Turns the typed <c>InferTensorContents</c> fields into the raw little-endian bytes the models take: BOOL as
/// one byte, INT8/INT16/UINT8/UINT16 narrowed from their 32-bit fields with a range check, BYTES with a 4-byte
/// length prefix per element. FP16 and BF16 have no typed field and must travel raw.
/// </summary>
internal static class TypedContentsReader
{
    /// <summary>True when any typed field holds elements.</summary>
    public static bool HasAny(InferTensorContents? contents) => contents is not null && FilledFields(contents).Any();

    /// <summary>Converts <paramref name="contents"/> of input <paramref name="name"/>, which must hold exactly <paramref name="count"/> elements.</summary>
    public static byte[] ToRawBytes(string name, string dataType, long count, InferTensorContents contents)
    {
        var expectedField = FieldFor(dataType)
            ?? throw TensorLayout.Invalid($"input '{name}' has datatype {dataType}, which has no typed contents field; send it in raw_input_contents");
        var filled = FilledFields(contents).ToList();
        var other = filled.FirstOrDefault(f => f.Field != expectedField);
        if (other.Field is not null)
        {
            throw TensorLayout.Invalid($"input '{name}' has datatype {dataType}, which takes {expectedField}, but {other.Field} is set");
        }

        var actual = filled.Count == 0 ? 0 : filled[0].Count;
        if (actual != count)
        {
            throw TensorLayout.Invalid($"input '{name}' {expectedField} has {actual} elements but its shape needs {count}");
        }

        return dataType switch
        {
            TensorDataTypes.Bool => contents.BoolContents.Select(b => b ? (byte)1 : (byte)0).ToArray(),
            TensorDataTypes.Int8 => Narrow(name, dataType, contents.IntContents, sbyte.MinValue, sbyte.MaxValue, 1, (s, v) => s[0] = unchecked((byte)(sbyte)v)),
            TensorDataTypes.Int16 => Narrow(name, dataType, contents.IntContents, short.MinValue, short.MaxValue, 2, (s, v) => BinaryPrimitives.WriteInt16LittleEndian(s, (short)v)),
            TensorDataTypes.Int32 => Write(contents.IntContents, 4, (s, v) => BinaryPrimitives.WriteInt32LittleEndian(s, v)),
            TensorDataTypes.Int64 => Write(contents.Int64Contents, 8, (s, v) => BinaryPrimitives.WriteInt64LittleEndian(s, v)),
            TensorDataTypes.UInt8 => Narrow(name, dataType, contents.UintContents, byte.MinValue, byte.MaxValue, 1, (s, v) => s[0] = (byte)v),
            TensorDataTypes.UInt16 => Narrow(name, dataType, contents.UintContents, ushort.MinValue, ushort.MaxValue, 2, (s, v) => BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)v)),
            TensorDataTypes.UInt32 => Write(contents.UintContents, 4, (s, v) => BinaryPrimitives.WriteUInt32LittleEndian(s, v)),
            TensorDataTypes.UInt64 => Write(contents.Uint64Contents, 8, (s, v) => BinaryPrimitives.WriteUInt64LittleEndian(s, v)),
            TensorDataTypes.Fp32 => Write(contents.Fp32Contents, 4, (s, v) => BinaryPrimitives.WriteSingleLittleEndian(s, v)),
            TensorDataTypes.Fp64 => Write(contents.Fp64Contents, 8, (s, v) => BinaryPrimitives.WriteDoubleLittleEndian(s, v)),
            _ => WriteBytes(contents.BytesContents),
        };
    }

    private static string? FieldFor(string dataType) => dataType switch
    {
        TensorDataTypes.Bool => "bool_contents",
        TensorDataTypes.Int8 or TensorDataTypes.Int16 or TensorDataTypes.Int32 => "int_contents",
        TensorDataTypes.Int64 => "int64_contents",
        TensorDataTypes.UInt8 or TensorDataTypes.UInt16 or TensorDataTypes.UInt32 => "uint_contents",
        TensorDataTypes.UInt64 => "uint64_contents",
        TensorDataTypes.Fp32 => "fp32_contents",
        TensorDataTypes.Fp64 => "fp64_contents",
        TensorDataTypes.Bytes => "bytes_contents",
        _ => null,
    };

    private static IEnumerable<(string Field, int Count)> FilledFields(InferTensorContents c)
    {
        (string, int)[] all =
        [
            ("bool_contents", c.BoolContents.Count), ("int_contents", c.IntContents.Count),
            ("int64_contents", c.Int64Contents.Count), ("uint_contents", c.UintContents.Count),
            ("uint64_contents", c.Uint64Contents.Count), ("fp32_contents", c.Fp32Contents.Count),
            ("fp64_contents", c.Fp64Contents.Count), ("bytes_contents", c.BytesContents.Count),
        ];
        return all.Where(f => f.Item2 > 0);
    }

    private delegate void ElementWriter<in T>(Span<byte> destination, T value);

    private static byte[] Write<T>(RepeatedField<T> values, int size, ElementWriter<T> write)
    {
        var bytes = new byte[values.Count * size];
        for (var i = 0; i < values.Count; i++)
        {
            write(bytes.AsSpan(i * size, size), values[i]);
        }

        return bytes;
    }

    private static byte[] Narrow<T>(string name, string dataType, RepeatedField<T> values, long min, long max, int size, ElementWriter<T> write)
        where T : IConvertible
    {
        for (var i = 0; i < values.Count; i++)
        {
            var value = values[i].ToInt64(System.Globalization.CultureInfo.InvariantCulture);
            if (value < min || value > max)
            {
                throw TensorLayout.Invalid($"input '{name}' element {i} ({value}) is out of range for {dataType}");
            }
        }

        return Write(values, size, write);
    }

    private static byte[] WriteBytes(RepeatedField<ByteString> values)
    {
        var total = values.Sum(v => 4L + v.Length);
        var bytes = new byte[total];
        var offset = 0;
        foreach (var value in values)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), (uint)value.Length);
            value.Span.CopyTo(bytes.AsSpan(offset + 4));
            offset += 4 + value.Length;
        }

        return bytes;
    }
}
