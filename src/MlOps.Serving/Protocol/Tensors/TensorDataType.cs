using System.Collections.Frozen;
using MlOps.Contracts.Inference;

namespace MlOps.Serving.Protocol.Tensors;

/// <summary>The Open Inference Protocol datatype strings, their element sizes and their model-config names.</summary>
internal static class TensorDataType
{
    public const string Bool = "BOOL";
    public const string UInt8 = "UINT8";
    public const string UInt16 = "UINT16";
    public const string UInt32 = "UINT32";
    public const string UInt64 = "UINT64";
    public const string Int8 = "INT8";
    public const string Int16 = "INT16";
    public const string Int32 = "INT32";
    public const string Int64 = "INT64";
    public const string Fp16 = "FP16";
    public const string Fp32 = "FP32";
    public const string Fp64 = "FP64";
    public const string Bf16 = "BF16";
    public const string Bytes = "BYTES";

    // Element size in bytes; BYTES is variable (4-byte little-endian length + bytes per element) and maps to 0.
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

    /// <summary>Every datatype the protocol defines, for error messages and tests.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Bool, UInt8, UInt16, UInt32, UInt64, Int8, Int16, Int32, Int64, Fp16, Fp32, Fp64, Bf16, Bytes];

    /// <summary>Datatype strings are case-sensitive, as the protocol says.</summary>
    public static bool IsKnown(string dataType) => Types.ContainsKey(dataType);

    /// <summary>Bytes per element: 0 for BYTES, -1 for an unknown datatype.</summary>
    public static int ElementSize(string dataType) => Types.TryGetValue(dataType, out var t) ? t.Size : -1;

    /// <summary>The model-config enum (<c>TYPE_STRING</c> for BYTES); <c>TYPE_INVALID</c> when unknown.</summary>
    public static DataType ToConfig(string dataType) => Types.TryGetValue(dataType, out var t) ? t.Config : DataType.TypeInvalid;
}
