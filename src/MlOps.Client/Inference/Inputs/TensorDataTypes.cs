namespace MlOps.Client.Inference.Inputs;

/// <summary>The Open Inference Protocol datatype strings (case-sensitive) and their element sizes.</summary>
internal static class TensorDataTypes
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

    /// <summary>Every datatype, in the protocol's table order.</summary>
    public static IReadOnlyList<string> All { get; } =
        [Bool, UInt8, UInt16, UInt32, UInt64, Int8, Int16, Int32, Int64, Fp16, Fp32, Fp64, Bf16, Bytes];

    /// <summary>Bytes per element; 0 for BYTES (variable: 4-byte length + bytes each); -1 when unknown.</summary>
    public static int ElementSize(string dataType) => dataType switch
    {
        Bool or UInt8 or Int8 => 1,
        UInt16 or Int16 or Fp16 or Bf16 => 2,
        UInt32 or Int32 or Fp32 => 4,
        UInt64 or Int64 or Fp64 => 8,
        Bytes => 0,
        _ => -1,
    };

    /// <summary>Why <paramref name="dataType"/> is not one of <see cref="All"/>, with a hint for a wrong case.</summary>
    public static string Unknown(string dataType)
    {
        var hint = All.Contains(dataType.ToUpperInvariant()) ? $" (datatypes are upper case: {dataType.ToUpperInvariant()})" : "";
        return $"unknown datatype '{dataType}'{hint}; expected one of {string.Join(", ", All)}";
    }
}
