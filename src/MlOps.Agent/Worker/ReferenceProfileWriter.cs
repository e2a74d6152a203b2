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
    /// <summary>Profiles the first <see cref="TestSplitModel.MaxSamples"/> test images at most.</summary>
    /// <exception cref="InvalidOperationException">The model's input does not hold one image of the test split per row,
    /// or its output is not <c>[rows, classes]</c>.</exception>
    public static ReferenceProfileFile Write(string onnxPath, ImageSplit test, IReadOnlyList<long> inputShape, string outputDirectory, int threads)
    {
        TestSplitModel.EnsureOneImage(inputShape, test);
        var count = TestSplitModel.SampleCount(test);
        var pixels = test.PixelsPerImage;
        using var model = TestSplitModel.Open(onnxPath, threads);
        var images = model.Normalize(test, count);
        PredictionProfile? predictions = null;
        model.Run(images, count, pixels, inputShape, (_, rows, classes, scores) =>
        {
            predictions ??= new PredictionProfile(classes);
            for (var row = 0; row < rows; row++)
            {
                predictions.AddOutput(scores.Slice(row * classes, classes));
            }
        });

        var inputs = ImageProfile.CreateReference(
            Enumerable.Range(0, count).Select(i => new ReadOnlyMemory<float>(images, i * pixels, pixels)), test.Height, test.Width);
        var bytes = ProfileJson.Serialize(new ModelProfile(inputs, predictions!));
        var path = Path.Combine(outputDirectory, LiveProfiler.FileName);
        var staging = path + ".tmp";
        File.WriteAllBytes(staging, bytes);
        File.Move(staging, path, overwrite: true);
        return new ReferenceProfileFile(path, Sha256Digest.OfBytes(bytes), count);
    }
}
