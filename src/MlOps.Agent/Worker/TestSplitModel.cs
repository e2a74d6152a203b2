using Microsoft.ML.OnnxRuntime;
using MlOps.Client.Inference.Inputs;
using MlOps.Core.Datasets;

namespace MlOps.Agent.Worker;

/// <summary>The scores of rows <c>firstRow … firstRow + rows − 1</c>, row-major <c>[rows, classes]</c>.</summary>
internal delegate void BatchScores(int firstRow, int rows, int classes, ReadOnlySpan<float> scores);

/// <summary>
/// One ONNX model run with ONNX Runtime over the held-out test images, as the training child does after training
/// (<see cref="ReferenceProfileWriter"/>, <see cref="BaselineComparison"/>): pixels normalised with the mean and standard
/// deviation the model itself records (<c>mlops.input_mean</c>, <c>mlops.input_std</c>), so every model sees the tensors
/// it was trained on and served with, in batches of <see cref="BatchSize"/>.
/// </summary>
internal sealed class TestSplitModel : IDisposable
{
    /// <summary>At most this many test images are run (all of Fashion-MNIST's test split).</summary>
    public const int MaxSamples = 10_000;

    /// <summary>Images per ONNX Runtime call.</summary>
    public const int BatchSize = 256;

    private readonly SessionOptions _options;
    private readonly InferenceSession _session;
    private readonly string _inputName;
    private readonly string _outputName;

    private TestSplitModel(SessionOptions options, InferenceSession session)
    {
        _options = options;
        _session = session;
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Normalization = ImagePreprocessing.FromModelParameters(key => metadata.TryGetValue(key, out var value) ? value : null);
        var input = session.InputMetadata.First();
        _inputName = input.Key;
        _outputName = session.OutputMetadata.Keys.First();
        var dimensions = input.Value.Dimensions;
        RecordedInputShape = dimensions.Length > 1 && dimensions.Skip(1).All(d => d > 0) ? [.. dimensions.Skip(1).Select(d => (long)d)] : null;
    }

    /// <summary>The mean and standard deviation the model records (0 and 1 when it records none).</summary>
    public ImagePreprocessing Normalization { get; }

    /// <summary>The model's input shape without the batch dimension, as its graph declares it; null when a dimension
    /// is symbolic (then only the caller knows the shape).</summary>
    public IReadOnlyList<long>? RecordedInputShape { get; }

    /// <summary>Opens <paramref name="onnxPath"/> with <paramref name="threads"/> intra-op threads.</summary>
    public static TestSplitModel Open(string onnxPath, int threads)
    {
        var options = new SessionOptions { IntraOpNumThreads = Math.Max(1, threads), InterOpNumThreads = 1 };
        try
        {
            return new TestSplitModel(options, new InferenceSession(onnxPath, options));
        }
        catch
        {
            options.Dispose();
            throw;
        }
    }

    /// <summary>How many images of <paramref name="test"/> to run: all of them, at most <see cref="MaxSamples"/>.</summary>
    /// <exception cref="InvalidOperationException">The split is empty.</exception>
    public static int SampleCount(ImageSplit test)
    {
        var count = Math.Min(test.Count, MaxSamples);
        return count > 0 ? count : throw new InvalidOperationException("the test split is empty");
    }

    /// <summary>Throws unless <paramref name="inputShape"/> holds exactly one image of <paramref name="test"/>; the message
    /// names <paramref name="owner"/> ("the model", "the baseline").</summary>
    public static void EnsureOneImage(IReadOnlyList<long> inputShape, ImageSplit test, string owner = "the model")
    {
        if (inputShape.Aggregate(1L, (a, b) => a * b) != test.PixelsPerImage)
        {
            throw new InvalidOperationException($"{owner} input [{string.Join(", ", inputShape)}] is not one {test.Height}x{test.Width} image");
        }
    }

    /// <summary>The first <paramref name="count"/> images of <paramref name="split"/> as this model's input tensors:
    /// <c>(byte / 255 − mean) / std</c> as training does (<c>TensorSplit</c>), row-major.</summary>
    public float[] Normalize(ImageSplit split, int count)
    {
        var (mean, std) = (Normalization.Mean, Normalization.Std);
        var images = new float[count * split.PixelsPerImage];
        var source = split.Pixels.AsSpan(0, images.Length);
        for (var i = 0; i < images.Length; i++)
        {
            images[i] = ((source[i] / 255f) - mean) / std;
        }

        return images;
    }

    /// <summary>Runs the model over <paramref name="count"/> normalised images of <paramref name="pixels"/> values each,
    /// shaped <c>[rows, ..inputShape]</c>, and hands each batch's scores to <paramref name="onBatch"/>.</summary>
    /// <exception cref="InvalidOperationException">The output is not <c>[rows, classes]</c>.</exception>
    public void Run(float[] images, int count, int pixels, IReadOnlyList<long> inputShape, BatchScores onBatch)
    {
        using var runOptions = new RunOptions();
        for (var start = 0; start < count; start += BatchSize)
        {
            var rows = Math.Min(BatchSize, count - start);
            long[] shape = [rows, .. inputShape];
            using var input = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, images.AsMemory(start * pixels, rows * pixels), shape);
            using var outputs = _session.Run(runOptions, [_inputName], [input], [_outputName]);
            var output = outputs[0];
            if (output.GetTensorTypeAndShape().Shape is not [var outRows, var classes] || outRows != rows || classes < 1)
            {
                throw new InvalidOperationException($"the model output [{string.Join(", ", output.GetTensorTypeAndShape().Shape)}] is not [rows, classes]");
            }

            onBatch(start, rows, (int)classes, output.GetTensorDataAsSpan<float>());
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
