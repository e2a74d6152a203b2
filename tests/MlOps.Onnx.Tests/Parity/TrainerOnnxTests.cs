using MlOps.Contracts;
using MlOps.Core.Datasets;
using MlOps.Onnx.Tests.Support;
using MlOps.Testing;
using MlOps.Training;
using static MlOps.Onnx.Tests.Support.LayerSpecs;

namespace MlOps.Onnx.Tests.Parity;

/// <summary>The model.onnx the trainer writes scores the test split exactly as the trainer's own evaluation did.</summary>
[Collection(TorchCollection.Name)]
public sealed class TrainerOnnxTests : IDisposable
{
    private readonly TempDirectory _temp = new("mlops-onnx-trainer-");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Train_CnnWithSoftmax_OnnxRuntimeAccuracyEqualsTrainerAccuracy()
    {
        var data = _temp.Combine("data");
        TinyMnistDataset.Write(data, trainCount: 400, testCount: 150);
        var spec = Spec(
            [1, 28, 28],
            Conv(4, [3], padding: [1]),
            new Layer { BatchNorm2D = new BatchNorm2dLayer() },
            Act(Activation.Gelu),
            AvgPool([2]),
            Flatten(),
            Dropout(0.2),
            Linear(10),
            new Layer { Softmax = new SoftmaxLayer() });
        var request = new TrainingRequest(spec, new HyperParameters { Optimizer = Optimizer.Adam, LearningRate = 0.003, BatchSize = 32, Epochs = 1 }, 3, data, _temp.Combine("out"))
        {
            Threads = 1,
            ProgressEverySteps = 0,
        };

        var result = new Trainer().Train(request, NullObserver.Instance, CancellationToken.None);

        var test = MnistFormat.Load(data).Test;
        using var onnx = new OrtModel(File.ReadAllBytes(result.OnnxPath));
        var (probabilities, shape) = onnx.Run(FashionMnistFactAttribute.Normalized(test, 0, test.Count), [test.Count, 1, 28, 28]);
        Assert.Equal([test.Count, 10L], shape);
        var correct = 0;
        for (var i = 0; i < test.Count; i++)
        {
            var row = probabilities.AsSpan(i * 10, 10);
            correct += row.IndexOf(Max(row)) == test.Labels[i] ? 1 : 0;
        }

        Assert.True(result.Metrics[TrainingMetrics.TestAccuracy] > 0.3, $"the model should have learnt something: {result.Metrics[TrainingMetrics.TestAccuracy]}");
        Assert.Equal(result.Metrics[TrainingMetrics.TestAccuracy], (double)correct / test.Count, 12);
    }

    private static float Max(ReadOnlySpan<float> values)
    {
        var max = float.NegativeInfinity;
        foreach (var v in values)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    private sealed class NullObserver : ITrainingObserver
    {
        public static readonly NullObserver Instance = new();

        public void OnProgress(TrainingProgress progress)
        {
        }

        public void OnEpochMetrics(int epoch, IReadOnlyDictionary<string, double> metrics)
        {
        }

        public void OnLog(string message)
        {
        }
    }
}
