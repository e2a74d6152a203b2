namespace MlOps.Onnx;

/// <summary>
/// The ONNX versions every exported file declares. IR 8 with the default-domain opset 17 is the pair of onnx 1.12:
/// ONNX Runtime (1.12 and later; 1.31 reads IR 8 to 13), TensorRT 8.6+ and onnx ≥ 1.12 all read it. Opset 17 has
/// no Gelu operator (added in 20), so GELU is written as its exact Erf form.
/// </summary>
public static class OnnxFormat
{
    public const long IrVersion = 8;

    public const long Opset = 17;

    public const string ProducerName = "mlops";

    /// <summary>Bumped when the exporter's output changes for the same input; fixed so files stay byte-identical.</summary>
    public const string ProducerVersion = "1";

    /// <summary>The symbolic name of the dynamic batch dimension on the input and output.</summary>
    public const string BatchDimension = "batch";
}
