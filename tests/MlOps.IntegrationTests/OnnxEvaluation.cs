using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using MlOps.Core.Datasets;

namespace MlOps.IntegrationTests;

/// <summary>Scores an exported model with ONNX Runtime on a dataset's test split, the way a consumer would.</summary>
public static class OnnxEvaluation
{
    public static double TestAccuracy(string onnxPath, string datasetDirectory)
    {
        using var session = new InferenceSession(onnxPath);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        var mean = float.Parse(metadata["mlops.input_mean"], System.Globalization.CultureInfo.InvariantCulture);
        var std = float.Parse(metadata["mlops.input_std"], System.Globalization.CultureInfo.InvariantCulture);
        var test = MnistFormat.Load(datasetDirectory).Test;
        var pixels = test.PixelsPerImage;
        var inputName = session.InputMetadata.Keys.Single();

        var correct = 0;
        const int batch = 64;
        for (var start = 0; start < test.Count; start += batch)
        {
            var size = Math.Min(batch, test.Count - start);
            var tensor = new DenseTensor<float>([size, 1, test.Height, test.Width]);
            var span = tensor.Buffer.Span;
            for (var i = 0; i < size * pixels; i++)
            {
                span[i] = ((test.Pixels[(start * pixels) + i] / 255f) - mean) / std;
            }

            using var results = session.Run([NamedOnnxValue.CreateFromTensor(inputName, tensor)]);
            var output = results.Single().AsTensor<float>();
            var classes = (int)output.Dimensions[1];
            for (var i = 0; i < size; i++)
            {
                var best = 0;
                for (var c = 1; c < classes; c++)
                {
                    if (output[i, c] > output[i, best])
                    {
                        best = c;
                    }
                }

                correct += best == test.Labels[start + i] ? 1 : 0;
            }
        }

        return (double)correct / test.Count;
    }
}
