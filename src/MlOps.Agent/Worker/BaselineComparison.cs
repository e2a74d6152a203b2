using System.Globalization;
using MlOps.Artifacts.Models;
using MlOps.Core.Datasets;
using MlOps.Core.Jobs;
using MlOps.Monitoring.Comparison;

namespace MlOps.Agent.Worker;

/// <summary>What <see cref="BaselineComparison.Compare"/> found: both models on the same <see cref="Samples"/> test images.</summary>
/// <param name="Samples">Test images both models were run on.</param>
/// <param name="CandidateCorrect">Images the candidate classified correctly.</param>
/// <param name="BaselineCorrect">Images the baseline classified correctly.</param>
/// <param name="McNemar">The exact test with b = only the candidate right, c = only the baseline right.</param>
internal sealed record BaselineComparisonResult(int Samples, int CandidateCorrect, int BaselineCorrect, McNemarResult McNemar)
{
    public double CandidateAccuracy => (double)CandidateCorrect / Samples;

    public double BaselineAccuracy => (double)BaselineCorrect / Samples;

    /// <summary>Images only the candidate classified correctly.</summary>
    public long CandidateOnlyCorrect => McNemar.OnlyFirstCorrect;

    /// <summary>Images only the baseline classified correctly.</summary>
    public long BaselineOnlyCorrect => McNemar.OnlySecondCorrect;

    /// <summary>The job metrics (<see cref="ComparisonMetrics"/>) for a baseline of version <paramref name="baselineVersion"/>.</summary>
    public Dictionary<string, double> ToMetrics(int baselineVersion) => new(StringComparer.Ordinal)
    {
        [ComparisonMetrics.Samples] = Samples,
        [ComparisonMetrics.CandidateAccuracy] = CandidateAccuracy,
        [ComparisonMetrics.BaselineAccuracy] = BaselineAccuracy,
        [ComparisonMetrics.CandidateOnlyCorrect] = CandidateOnlyCorrect,
        [ComparisonMetrics.BaselineOnlyCorrect] = BaselineOnlyCorrect,
        [ComparisonMetrics.McNemarPValue] = McNemar.PValue,
        [ComparisonMetrics.BaselineVersion] = baselineVersion,
    };

    /// <summary>One line for the job's log, e.g. <c>compared with fashion-mlp v1 on 1000 test images: candidate 0.8450,
    /// baseline 0.7910, only-candidate 81, only-baseline 27, McNemar p=1.9e-07</c>.</summary>
    public string Describe(string baselineName) => string.Create(CultureInfo.InvariantCulture,
        $"compared with {baselineName} on {Samples} test images: candidate {CandidateAccuracy:0.0000}, baseline {BaselineAccuracy:0.0000}, " +
        $"only-candidate {CandidateOnlyCorrect}, only-baseline {BaselineOnlyCorrect}, McNemar p={FormatP(McNemar.PValue)}");

    private static string FormatP(double p) => p >= 1e-3 || p == 0
        ? p.ToString("0.####", CultureInfo.InvariantCulture)
        : p.ToString("0.0e-00", CultureInfo.InvariantCulture);
}

/// <summary>
/// The paired comparison a job with a baseline runs after training (issue #7): the freshly trained model (the
/// candidate) and the baseline version, both through ONNX Runtime, on the same held-out test images — each normalised
/// with its own recorded mean and standard deviation (<see cref="TestSplitModel"/>) — top-1 prediction against the
/// label. Paired rather than two separate accuracies, so McNemar's exact test on the images they disagree on says
/// whether the difference is more than the luck of this test split.
/// </summary>
internal static class BaselineComparison
{
    /// <summary>The baseline's ONNX file: <c>model.onnx</c> in a directory as <c>PullModelAsync</c> writes it, or
    /// <paramref name="baselinePath"/> itself when it is a file.</summary>
    public static string OnnxPathOf(string baselinePath) =>
        Directory.Exists(baselinePath) ? Path.Combine(baselinePath, ModelArtifact.OnnxFileName) : baselinePath;

    /// <summary>
    /// Runs both models over the first <see cref="TestSplitModel.MaxSamples"/> images of <paramref name="test"/> at most.
    /// The candidate is fed <paramref name="inputShape"/> (its spec's); the baseline the shape its graph declares (the
    /// candidate's when it declares a symbolic one), which must also hold exactly one test image.
    /// </summary>
    /// <exception cref="InvalidOperationException">Either model does not take one test image per row (e.g. a baseline
    /// trained on other images), an output is not <c>[rows, classes]</c>, or the split is empty.</exception>
    /// <exception cref="FileNotFoundException">The baseline has no ONNX file.</exception>
    public static BaselineComparisonResult Compare(string candidateOnnxPath, string baselinePath, ImageSplit test, IReadOnlyList<long> inputShape, int threads)
    {
        TestSplitModel.EnsureOneImage(inputShape, test, "the candidate");
        var count = TestSplitModel.SampleCount(test);
        var baselineOnnx = OnnxPathOf(baselinePath);
        if (!File.Exists(baselineOnnx))
        {
            throw new FileNotFoundException($"the baseline has no ONNX file at {baselineOnnx}", baselineOnnx);
        }

        var candidate = Predict(candidateOnnxPath, test, count, inputShape, threads, "the candidate");
        var baseline = Predict(baselineOnnx, test, count, inputShape, threads, "the baseline");

        int candidateCorrect = 0, baselineCorrect = 0;
        long onlyCandidate = 0, onlyBaseline = 0;
        for (var i = 0; i < count; i++)
        {
            var label = test.Labels[i];
            var candidateRight = candidate[i] == label;
            var baselineRight = baseline[i] == label;
            candidateCorrect += candidateRight ? 1 : 0;
            baselineCorrect += baselineRight ? 1 : 0;
            if (candidateRight && !baselineRight)
            {
                onlyCandidate++;
            }
            else if (baselineRight && !candidateRight)
            {
                onlyBaseline++;
            }
        }

        return new BaselineComparisonResult(count, candidateCorrect, baselineCorrect, McNemar.ExactTest(onlyCandidate, onlyBaseline));
    }

    /// <summary>The top-1 class of each of the first <paramref name="count"/> images (the first class on ties).</summary>
    private static int[] Predict(string onnxPath, ImageSplit test, int count, IReadOnlyList<long> fallbackShape, int threads, string owner)
    {
        using var model = TestSplitModel.Open(onnxPath, threads);
        var shape = model.RecordedInputShape ?? fallbackShape;
        if (model.RecordedInputShape is not null && !model.RecordedInputShape.SequenceEqual(fallbackShape))
        {
            // Another layout of the same pixels ([784] vs [1, 28, 28]) is fine; other images are not comparable.
            TestSplitModel.EnsureOneImage(shape, test, owner);
        }

        var images = model.Normalize(test, count);
        var predicted = new int[count];
        model.Run(images, count, test.PixelsPerImage, shape, (firstRow, rows, classes, scores) =>
        {
            for (var row = 0; row < rows; row++)
            {
                var best = 0;
                var offset = row * classes;
                for (var k = 1; k < classes; k++)
                {
                    if (scores[offset + k] > scores[offset + best])
                    {
                        best = k;
                    }
                }

                predicted[firstRow + row] = best;
            }
        });
        return predicted;
    }
}
