using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace MlOps.Contracts.Inference;

/// <summary>
/// The Open Inference Protocol datatype strings (case-sensitive, as the protocol says), their element sizes and their
/// model-config names: one table for the server that decodes tensors and the client that encodes them.
/// </summary>
[SuppressMessage("Naming", "CA1720", Justification = "The names are the protocol's datatype names (UINT8, INT32, ...).")]
public static class TensorDataTypes
{
    /// <summary>A boolean, one byte per element (0 or 1).</summary>
    public const string Bool = "BOOL";

    /// <summary>An unsigned 8-bit integer.</summary>
    public const string UInt8 = "UINT8";

    /// <summary>An unsigned 16-bit integer, little-endian.</summary>
    public const string UInt16 = "UINT16";

    /// <summary>An unsigned 32-bit integer, little-endian.</summary>
    public const string UInt32 = "UINT32";

    /// <summary>An unsigned 64-bit integer, little-endian.</summary>
    public const string UInt64 = "UINT64";

    /// <summary>A signed 8-bit integer.</summary>
    public const string Int8 = "INT8";

    /// <summary>A signed 16-bit integer, little-endian.</summary>
    public const string Int16 = "INT16";

    /// <summary>A signed 32-bit integer, little-endian.</summary>
    public const string Int32 = "INT32";

    /// <summary>A signed 64-bit integer, little-endian.</summary>
    public const string Int64 = "INT64";

    /// <summary>An IEEE 754 half-precision float, little-endian.</summary>
    public const string Fp16 = "FP16";

    /// <summary>An IEEE 754 single-precision float, little-endian.</summary>
    public const string Fp32 = "FP32";

    /// <summary>An IEEE 754 double-precision float, little-endian.</summary>
    public const string Fp64 = "FP64";

    /// <summary>A bfloat16 (the upper half of an FP32), little-endian.</summary>
    public const string Bf16 = "BF16";

    /// <summary>Variable-length bytes: each element is a 4-byte little-endian length and then that many bytes.</summary>
    public const string Bytes = "BYTES";

    // Element size in bytes; BYTES is variable and maps to 0.
    private static readonly FrozenDictionary<string, (int Size, DataType Config)> Types =
        new Dictionary<string, (int, DataType)>(StringComparer.Ordinal)
        {
            [Bool] = (1, DataType.TypeBool),
            [UInt8] = (1, DataType.TypeUint8),
            [UInt16] = (2, DataType.TypeUint16),
            [UInt32] = (4, DataType.TypeUint32),
            [UInt64] = (8, DataType.TypeUint64),
            [Int8] = (1, DataType.TypeInt8),
            [Int16] = (2, DataType.TypeInt16),
            [Int32] = (4, DataType.TypeInt32),
            [Int64] = (8, DataType.TypeInt64),
            [Fp16] = (2, DataType.TypeFp16),
            [Fp32] = (4, DataType.TypeFp32),
            [Fp64] = (8, DataType.TypeFp64),
            [Bf16] = (2, DataType.TypeBf16),
            [Bytes] = (0, DataType.TypeString),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Every datatype the protocol defines, in the protocol's table order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Bool, UInt8, UInt16, UInt32, UInt64, Int8, Int16, Int32, Int64, Fp16, Fp32, Fp64, Bf16, Bytes];

    /// <summary>Whether <paramref name="dataType"/> is one of <see cref="All"/>, compared case-sensitively.</summary>
    public static bool IsKnown(string dataType) => Types.ContainsKey(dataType);

    /// <summary>Bytes per element: 0 for <see cref="Bytes"/> (variable), -1 for an unknown datatype.</summary>
    public static int ElementSize(string dataType) => Types.TryGetValue(dataType, out var t) ? t.Size : -1;

    /// <summary>The model-config enum (<c>TYPE_STRING</c> for BYTES); <c>TYPE_INVALID</c> when unknown.</summary>
    public static DataType ToConfig(string dataType) => Types.TryGetValue(dataType, out var t) ? t.Config : DataType.TypeInvalid;

    /// <summary>Why <paramref name="dataType"/> is not one of <see cref="All"/>, with a hint when only its case is wrong.</summary>
    public static string DescribeUnknown(string dataType)
    {
        var hint = All.Contains(dataType.ToUpperInvariant()) ? $" (datatypes are upper case: {dataType.ToUpperInvariant()})" : "";
        return $"unknown datatype '{dataType}'{hint}; expected one of {string.Join(", ", All)}";
    }
}
