using Microsoft.ML.OnnxRuntime.Tensors;

namespace MlOps.Serving.Hosting;

/// <summary>
/// ONNX Runtime element types and their Open Inference Protocol datatype names, for the types a raw
/// little-endian byte buffer can carry (everything but strings).
/// </summary>
public static class TensorTypes
{
    private static readonly Dictionary<TensorElementType, (string DataType, int Size)> ByElement = new()
    {
        [TensorElementType.Bool] = ("BOOL", 1),
        [TensorElementType.UInt8] = ("UINT8", 1),
        [TensorElementType.UInt16] = ("UINT16", 2),
        [TensorElementType.UInt32] = ("UINT32", 4),
        [TensorElementType.UInt64] = ("UINT64", 8),
        [TensorElementType.Int8] = ("INT8", 1),
        [TensorElementType.Int16] = ("INT16", 2),
        [TensorElementType.Int32] = ("INT32", 4),
        [TensorElementType.Int64] = ("INT64", 8),
        [TensorElementType.Float16] = ("FP16", 2),
        [TensorElementType.Float] = ("FP32", 4),
        [TensorElementType.Double] = ("FP64", 8),
        [TensorElementType.BFloat16] = ("BF16", 2),
    };

    /// <summary>The OIP datatype (<c>FP32</c>, <c>INT64</c>, ...) and element size in bytes, or null for a type
    /// that cannot travel as raw bytes (strings, complex, 4-bit and 8-bit float types).</summary>
    public static (string DataType, int Size)? Describe(TensorElementType type) =>
        ByElement.TryGetValue(type, out var found) ? found : null;

    /// <summary>The OIP datatype of an ONNX element type named as in an artifact signature (<c>float32</c>, <c>int64</c>, ...).</summary>
    public static string? FromSignatureName(string name) => name switch
    {
        "bool" => "BOOL",
        "uint8" => "UINT8",
        "uint16" => "UINT16",
        "uint32" => "UINT32",
        "uint64" => "UINT64",
        "int8" => "INT8",
        "int16" => "INT16",
        "int32" => "INT32",
        "int64" => "INT64",
        "float16" => "FP16",
        "float32" or "float" => "FP32",
        "float64" or "double" => "FP64",
        "bfloat16" => "BF16",
        "string" => "BYTES",
        _ => null,
    };
}
