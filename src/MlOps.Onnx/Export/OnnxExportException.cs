namespace MlOps.Onnx;

/// <summary>
/// The model cannot be exported as asked: a layer the exporter does not support (the message says
/// <c>unsupported layer X at position N</c>), an invalid spec, or weights that are missing, misshaped or
/// unused. The message names the layer or weight.
/// </summary>
public sealed class OnnxExportException : Exception
{
    public OnnxExportException(string message)
        : base(message)
    {
    }

    public OnnxExportException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public OnnxExportException()
    {
    }
}
