using Microsoft.ML.OnnxRuntime;

namespace MlOps.Onnx.Tests.Support;

/// <summary>An ONNX Runtime (CPU) session over exported bytes, run with the OrtValue API.</summary>
public sealed class OrtModel(byte[] model, string inputName = "input", string outputName = "output") : IDisposable
{
    public InferenceSession Session { get; } = new(model);

    public (float[] Values, long[] Shape) Run(float[] input, long[] shape)
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var options = new RunOptions();
        using var results = Session.Run(options, [inputName], [value], [outputName]);
        var output = results[0];
        return (output.GetTensorDataAsSpan<float>().ToArray(), output.GetTensorTypeAndShape().Shape);
    }

    public void Dispose() => Session.Dispose();
}
