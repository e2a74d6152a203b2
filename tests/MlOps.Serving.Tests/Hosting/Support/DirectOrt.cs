using Microsoft.ML.OnnxRuntime;

namespace MlOps.Serving.Tests.Hosting.Support;

/// <summary>The reference: a plain InferenceSession (default options) run directly with the OrtValue API.</summary>
public static class DirectOrt
{
    public static float[] Run(string onnxPath, float[] input, long[] shape, string inputName = "input", string outputName = "output")
    {
        using var session = new InferenceSession(onnxPath);
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var options = new RunOptions();
        using var results = session.Run(options, [inputName], [value], [outputName]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}
