using Microsoft.ML.OnnxRuntime;
using MlOps.Client.Inference.Inputs;
using MlOps.Core.Datasets;
using MlOps.Core.Digests;
using MlOps.Monitoring.Profiles;
using MlOps.Monitoring.Serialization;
using MlOps.Serving.Monitoring;

namespace MlOps.Agent.Worker;

/// <summary>What <see cref="ReferenceProfileWriter.Write"/> produced.</summary>
internal sealed record ReferenceProfileFile(string Path, string Digest, long Samples);

/// <summary>
/// The reference data profile of a freshly trained model (issue #7): the exported <c>model.onnx</c> run with ONNX
/// Runtime over the held-out test images — normalised with the mean and standard deviation the model records, so the
/// profile describes the tensors the served model receives — and each image with its output scores added to a
/// <see cref="ModelProfile"/>, written as <see cref="LiveProfiler.FileName"/> beside the model. Serving agents build
/// their live windows over its bins.
/// </summary>
internal static class ReferenceProfileWriter
{
    /// <summary>At most this many test images go into the profile (all of Fashion-MNIST's test split).</summary>
    public const int MaxSamples = 10_000;

    /// <summary>Images per ONNX Runtime call.</summary>
    public const int BatchSize = 256;

    /// <exception cref="InvalidOperationException">The model's input does not hold one image of the test split per row,
    /// or its output is not <c>[rows, classes]</c>.</exception>
    public static ReferenceProfileFile Write(string onnxPath, ImageSplit test, IReadOnlyList<long> inputShape, string outputDirectory, int threads)
    {
        var pixels = test.PixelsPerImage;
        if (inputShape.Aggregate(1L, (a, b) => a * b) != pixels)
        {
            throw new InvalidOperationException($"the model input [{string.Join(", ", inputShape)}] is not one {test.Height}x{test.Width} image");
        }

        var count = Math.Min(test.Count, MaxSamples);
        if (count == 0)
        {
            throw new InvalidOperationException("the test split is empty");
        }

        using var sessionOptions = new SessionOptions { IntraOpNumThreads = Math.Max(1, threads), InterOpNumThreads = 1 };
        using var session = new InferenceSession(onnxPath, sessionOptions);
        var metadata = session.ModelMetadata.CustomMetadataMap;
        var normalization = ImagePreprocessing.FromModelParameters(key => metadata.TryGetValue(key, out var value) ? value : null);
        var images = Normalize(test, count, normalization.Mean, normalization.Std);

        var inputName = session.InputMetadata.Keys.First();
        var outputName = session.OutputMetadata.Keys.First();
        PredictionProfile? predictions = null;
        using var runOptions = new RunOptions();
        for (var start = 0; start < count; start += BatchSize)
        {
            var rows = Math.Min(BatchSize, count - start);
            long[] shape = [rows, .. inputShape];
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, images.AsMemory(start * pixels, rows * pixels), shape);
            using var outputs = session.Run(runOptions, [inputName], [input], [outputName]);
            var output = outputs[0];
            if (output.GetTensorTypeAndShape().Shape is not [var outRows, var classes] || outRows != rows || classes < 1)
            {
                throw new InvalidOperationException($"the model output [{string.Join(", ", output.GetTensorTypeAndShape().Shape)}] is not [rows, classes]");
            }

            predictions ??= new PredictionProfile((int)classes);
            var scores = output.GetTensorDataAsSpan<float>();
            for (var row = 0; row < rows; row++)
            {
                predictions.AddOutput(scores.Slice(row * (int)classes, (int)classes));
            }
        }

        var inputs = ImageProfile.CreateReference(
            Enumerable.Range(0, count).Select(i => new ReadOnlyMemory<float>(images, i * pixels, pixels)), test.Height, test.Width);
        var bytes = ProfileJson.Serialize(new ModelProfile(inputs, predictions!));
        var path = Path.Combine(outputDirectory, LiveProfiler.FileName);
        var staging = path + ".tmp";
        File.WriteAllBytes(staging, bytes);
        File.Move(staging, path, overwrite: true);
        return new ReferenceProfileFile(path, Sha256Digest.OfBytes(bytes), count);
    }

    /// <summary>As training does (<c>TensorSplit</c>): <c>(byte / 255 − mean) / std</c>, row-major images.</summary>
    private static float[] Normalize(ImageSplit split, int count, float mean, float std)
    {
        var images = new float[count * split.PixelsPerImage];
        var source = split.Pixels.AsSpan(0, images.Length);
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = ((source[i] / 255f) - mean) / std;
        }

        return images;
    }
}
