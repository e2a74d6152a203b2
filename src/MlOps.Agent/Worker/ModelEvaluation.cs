using MlOps.Core.Datasets;

namespace MlOps.Agent.Worker;

/// <summary>What <see cref="ModelEvaluation.Run"/> measured.</summary>
/// <param name="Samples">Test images the model was run on.</param>
/// <param name="Accuracy">Share of images whose top-1 class is the label.</param>
/// <param name="Loss">Mean cross-entropy of the softmax of the model's outputs (read as logits) against the label.</param>
internal sealed record ModelEvaluationResult(int Samples, double Accuracy, double Loss);

/// <summary>
/// The built-in <c>evaluate</c> step's measurement: one ONNX model through ONNX Runtime on a test split, with the
/// normalisation the model records (<see cref="TestSplitModel"/>), the same way the baseline comparison runs it.
/// </summary>
internal static class ModelEvaluation
{
    public const string Accuracy = "accuracy";
    public const string Loss = "loss";
    public const string Samples = "test_samples";

    /// <exception cref="InvalidOperationException">The model does not take one test image per row, or the split is empty.</exception>
    public static ModelEvaluationResult Run(string onnxPath, ImageSplit test, int threads, CancellationToken cancellationToken)
    {
        var count = TestSplitModel.SampleCount(test);
        using var model = TestSplitModel.Open(onnxPath, threads);
        IReadOnlyList<long> shape = model.RecordedInputShape ?? [1, test.Height, test.Width];
        TestSplitModel.EnsureOneImage(shape, test);
        var images = model.Normalize(test, count);
        var correct = 0;
        var loss = 0.0;
        model.Run(images, count, test.PixelsPerImage, shape, (firstRow, rows, classes, scores) =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var row = 0; row < rows; row++)
            {
                var label = test.Labels[firstRow + row];
                var offset = row * classes;
                var best = 0;
                var max = scores[offset];
                for (var k = 1; k < classes; k++)
                {
                    if (scores[offset + k] > scores[offset + best])
                    {
                        best = k;
                    }

                    max = Math.Max(max, scores[offset + k]);
                }

                correct += best == label ? 1 : 0;
                var sum = 0.0;
                for (var k = 0; k < classes; k++)
                {
                    sum += Math.Exp(scores[offset + k] - max);
                }

                var labelScore = label < classes ? scores[offset + label] : float.NegativeInfinity;
                loss += Math.Log(sum) - (labelScore - max);
            }
        });
        return new ModelEvaluationResult(count, (double)correct / count, loss / count);
    }
}
