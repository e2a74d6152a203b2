using System.Buffers.Binary;
using System.Text;
using MlOps.Contracts.Inference;

namespace MlOps.Client.Inference.Inputs;

/// <summary>
/// One model output from a <c>ModelInferResponse</c>: name, datatype, shape and its raw little-endian bytes
/// (already checked against the shape), with conversions to .NET arrays.
/// </summary>
public sealed class DecodedOutput
{
    internal DecodedOutput(string name, string datatype, long[] shape, long elementCount, ReadOnlyMemory<byte> raw)
    {
        Name = name;
        Datatype = datatype;
        Shape = shape;
        ElementCount = elementCount;
        Raw = raw;
    }

    /// <summary>The output tensor's name.</summary>
    public string Name { get; }

    /// <summary>The protocol datatype, e.g. <c>FP32</c>.</summary>
    public string Datatype { get; }

    /// <summary>The tensor's shape.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>Elements in the tensor (the product of <see cref="Shape"/>).</summary>
    public long ElementCount { get; }

    /// <summary>The raw bytes: row-major, little-endian; BYTES elements each with a 4-byte length.</summary>
    public ReadOnlyMemory<byte> Raw { get; }

    /// <summary>True for FP16, BF16, FP32 and FP64.</summary>
    public bool IsFloatingPoint => Datatype is TensorDataTypes.Fp16 or TensorDataTypes.Bf16 or TensorDataTypes.Fp32 or TensorDataTypes.Fp64;

    /// <summary>Every element as a double (BOOL as 0 or 1). Large 64-bit integers may lose precision.</summary>
    /// <exception cref="InvalidOperationException">The output is BYTES.</exception>
    public double[] ToDoubles()
    {
        RequireNumeric();
        var size = TensorDataTypes.ElementSize(Datatype);
        var raw = Raw.Span;
        var values = new double[ElementCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ElementAsDouble(Datatype, raw.Slice(i * size, size));
        }

        return values;
    }

    /// <summary>Every element as a float; see <see cref="ToDoubles"/>.</summary>
    /// <exception cref="InvalidOperationException">The output is BYTES.</exception>
    public float[] ToSingles() => [.. ToDoubles().Select(v => (float)v)];

    /// <summary>Every element of an integer or BOOL output as a long (UINT64 above <see cref="long.MaxValue"/> wraps).</summary>
    /// <exception cref="InvalidOperationException">The output is floating point or BYTES.</exception>
    public long[] ToInt64s()
    {
        RequireNumeric();
        if (IsFloatingPoint)
        {
            throw new InvalidOperationException($"output '{Name}' is {Datatype}; read it with {nameof(ToDoubles)}");
        }

        var size = TensorDataTypes.ElementSize(Datatype);
        var raw = Raw.Span;
        var values = new long[ElementCount];
        for (var i = 0; i < values.Length; i++)
        {
            var element = raw.Slice(i * size, size);
            values[i] = Datatype switch
            {
                TensorDataTypes.UInt64 => unchecked((long)BinaryPrimitives.ReadUInt64LittleEndian(element)),
                TensorDataTypes.Int64 => BinaryPrimitives.ReadInt64LittleEndian(element),
                _ => (long)ElementAsDouble(Datatype, element),
            };
        }

        return values;
    }

    /// <summary>Every element of a BYTES output, decoded as UTF-8.</summary>
    /// <exception cref="InvalidOperationException">The output is not BYTES.</exception>
    public IReadOnlyList<string> ToStrings()
    {
        if (Datatype != TensorDataTypes.Bytes)
        {
            throw new InvalidOperationException($"output '{Name}' is {Datatype}, not BYTES");
        }

        var strings = new List<string>((int)ElementCount);
        var raw = Raw.Span;
        while (!raw.IsEmpty)
        {
            var length = (int)BinaryPrimitives.ReadUInt32LittleEndian(raw);
            strings.Add(Encoding.UTF8.GetString(raw.Slice(4, length)));
            raw = raw[(4 + length)..];
        }

        return strings;
    }

    // Exact for every datatype except 64-bit integers beyond 2^53.
    private static double ElementAsDouble(string datatype, ReadOnlySpan<byte> element) => datatype switch
    {
        TensorDataTypes.Bool => element[0] != 0 ? 1 : 0,
        TensorDataTypes.UInt8 => element[0],
        TensorDataTypes.Int8 => (sbyte)element[0],
        TensorDataTypes.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(element),
        TensorDataTypes.Int16 => BinaryPrimitives.ReadInt16LittleEndian(element),
        TensorDataTypes.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(element),
        TensorDataTypes.Int32 => BinaryPrimitives.ReadInt32LittleEndian(element),
        TensorDataTypes.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(element),
        TensorDataTypes.Int64 => BinaryPrimitives.ReadInt64LittleEndian(element),
        TensorDataTypes.Fp16 => (double)BinaryPrimitives.ReadHalfLittleEndian(element),
        TensorDataTypes.Bf16 => BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(element) << 16),
        TensorDataTypes.Fp32 => BinaryPrimitives.ReadSingleLittleEndian(element),
        _ => BinaryPrimitives.ReadDoubleLittleEndian(element),
    };

    private void RequireNumeric()
    {
        if (Datatype == TensorDataTypes.Bytes)
        {
            throw new InvalidOperationException($"output '{Name}' is BYTES; read it with {nameof(ToStrings)}");
        }
    }
}
