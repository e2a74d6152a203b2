using MlOps.Contracts;
using MlOps.Onnx;

namespace MlOps.Agent.Tests.Worker;

/// <summary>
/// Hand-built ONNX classifiers for <see cref="MlOps.Testing.TinyMnistDataset"/>, whose class c is a bright band over
/// rows 2c..2c+2, columns 4..size−5: one linear layer whose row c sums exactly that band. Knowing every model's
/// answer without TorchSharp lets the comparison tests assert exact counts.
/// </summary>
internal static class BandModelsForTests
{
    /// <summary>Writes the model to <paramref name="path"/>. Only <paramref name="knownClasses"/> (default: all ten) get
    /// their band (the others score 0 and never win); <paramref name="biasOfClassZero"/> is added to class 0's score;
    /// <paramref name="std"/> is recorded as the model's input normalisation when given.</summary>
    public static string Write(string path, int knownClasses = 10, float biasOfClassZero = 0, float? std = null, long[]? inputShape = null)
    {
        inputShape ??= [1, 28, 28];
        var pixels = (int)inputShape.Aggregate(1L, (a, b) => a * b);
        var size = (int)Math.Sqrt(pixels);
        var spec = new ModelSpec
        {
            InputShape = { inputShape },
            Layers =
            {
                new Layer { Flatten = new FlattenLayer() },
                new Layer { Linear = new LinearLayer { OutFeatures = 10 } },
            },
        };
        var weight = new float[10 * pixels];
        for (var c = 0; c < knownClasses; c++)
        {
            for (var row = 2 * c; row < (2 * c) + 3 && row < size; row++)
            {
                for (var col = 4; col < size - 4; col++)
                {
                    weight[(c * pixels) + (row * size) + col] = 1;
                }
            }
        }

        var bias = new float[10];
        bias[0] = biasOfClassZero;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (std is { } s)
        {
            metadata[OnnxMetadataKeys.InputMean] = "0";
            metadata[OnnxMetadataKeys.InputStd] = s.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        }

        var weights = new Dictionary<string, WeightTensor>(StringComparer.Ordinal)
        {
            ["1.weight"] = new([10, pixels], weight),
            ["1.bias"] = new([10], bias),
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, OnnxExporter.Export(spec, weights, new OnnxExportOptions { ModelName = "band", Metadata = metadata }));
        return path;
    }
}
