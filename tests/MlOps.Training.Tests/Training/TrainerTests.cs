using MlOps.Contracts;
using MlOps.Core.Datasets;
using MlOps.Core.Digests;
using MlOps.Testing;
using MlOps.Training.Tests.Support;

namespace MlOps.Training.Tests.Training;

/// <summary>A synthetic 600/200-sample MNIST-format dataset written once for all trainer tests.</summary>
public sealed class SyntheticDatasetFixture : IDisposable
{
    private readonly TempDirectory _directory = new("mlops-synthetic-");

    public SyntheticDatasetFixture()
    {
        TinyMnistDataset.Write(_directory.Path, trainCount: 600, testCount: 200);
    }

    public string Path => _directory.Path;

    public void Dispose() => _directory.Dispose();
}

[Collection(TorchCollection.Name)]
public sealed class TrainerTests(SyntheticDatasetFixture dataset) : IClassFixture<SyntheticDatasetFixture>, IDisposable
{
    private static readonly string[] LearningMetrics =
        [TrainingMetrics.TestAccuracy, TrainingMetrics.TestLoss, TrainingMetrics.TrainLoss, TrainingMetrics.TrainAccuracy];

    private readonly TempDirectory _output = new("mlops-train-out-");

    public void Dispose() => _output.Dispose();

    private TrainingRequest Request(long seed = 1, int epochs = 2, string? output = null) =>
        new(Specs.Mlp(32), Specs.Adam(epochs: epochs), seed, dataset.Path, output ?? _output.Path) { Threads = 1, ProgressEverySteps = 5 };

    [Fact]
    public void Train_SyntheticData_LearnsAndReportsEverything()
    {
        var observer = new RecordingObserver();

        var result = new Trainer().Train(Request(), observer, CancellationToken.None);

        Assert.True(result.Metrics[TrainingMetrics.TestAccuracy] > 0.5, $"test accuracy {result.Metrics[TrainingMetrics.TestAccuracy]}");
        Assert.True(result.Metrics[TrainingMetrics.TrainAccuracy] > 0.3, $"train accuracy {result.Metrics[TrainingMetrics.TrainAccuracy]}");
        Assert.Equal(2, result.Metrics[TrainingMetrics.Epochs]);
        Assert.True(result.Metrics[TrainingMetrics.SecondsPerEpoch] > 0);
        Assert.True(result.Metrics[TrainingMetrics.SamplesPerSecond] > 0);
        Assert.True(result.TrainSeconds > 0);

        Assert.Equal([1, 2], observer.Epochs.Select(e => e.Epoch));
        Assert.All(observer.Epochs, e => Assert.Equal(
            new[] { "epoch_seconds", "learning_rate", "samples_per_second", "test_accuracy", "test_loss", "train_accuracy", "train_loss" },
            e.Metrics.Keys.Order(StringComparer.Ordinal)));
        var second = observer.Epochs.Last().Metrics;
        Assert.True(second[TrainingMetrics.TestLoss] < observer.Epochs.First().Metrics[TrainingMetrics.TestLoss] * 1.5);

        // 600 samples / batch 32 = 19 steps: reports at steps 5, 10, 15 and the epoch's end.
        Assert.Equal(
            new long[] { 5, 10, 15, 19, 5, 10, 15, 19 },
            observer.Progress.Select(p => p.Step));
        Assert.All(observer.Progress, p =>
        {
            Assert.Equal(19, p.StepsPerEpoch);
            Assert.Equal(2, p.Epochs);
            Assert.InRange(p.Accuracy, 0, 1);
            Assert.True(p.Loss > 0);
            Assert.True(p.SamplesPerSecond > 0);
        });
        Assert.NotEmpty(observer.Logs);
    }

    [Fact]
    public void Train_Finished_WeightsFileMatchesDigest()
    {
        var result = new Trainer().Train(Request(epochs: 1), new RecordingObserver(), CancellationToken.None);

        Assert.Equal(Path.Combine(_output.Path, Trainer.WeightsFileName), result.WeightsPath);
        Assert.True(File.Exists(result.WeightsPath));
        Assert.Equal(new FileInfo(result.WeightsPath).Length, result.WeightsBytes);
        Assert.True(Sha256Digest.IsValid(result.WeightsDigest));
        Assert.Equal(Sha256Digest.OfFile(result.WeightsPath), result.WeightsDigest);
        Assert.Equal(Path.Combine(_output.Path, Trainer.OnnxFileName), result.OnnxPath);
        Assert.Equal(new FileInfo(result.OnnxPath).Length, result.OnnxBytes);
        Assert.Equal(Sha256Digest.OfFile(result.OnnxPath), result.OnnxDigest);
        Assert.True(result.ExportSeconds > 0);
        Assert.True(result.ExportSeconds < result.TrainSeconds);
        Assert.Equal(
            [Trainer.WeightsFileName, Trainer.OnnxFileName],
            Directory.GetFiles(_output.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Train_SameSeedTwice_SameMetricsAndWeights()
    {
        using var other = new TempDirectory("mlops-train-out");

        var a = new Trainer().Train(Request(seed: 5), new RecordingObserver(), CancellationToken.None);
        var b = new Trainer().Train(Request(seed: 5, output: other.Path), new RecordingObserver(), CancellationToken.None);

        foreach (var key in LearningMetrics)
        {
            Assert.Equal(a.Metrics[key], b.Metrics[key]);
        }

        Assert.Equal(a.WeightsDigest, b.WeightsDigest);
        Assert.Equal(a.OnnxDigest, b.OnnxDigest);
    }

    [Fact]
    public void Train_DifferentSeeds_DifferentMetricsAndWeights()
    {
        using var other = new TempDirectory("mlops-train-out");

        var a = new Trainer().Train(Request(seed: 5, epochs: 1), new RecordingObserver(), CancellationToken.None);
        var b = new Trainer().Train(Request(seed: 6, epochs: 1, output: other.Path), new RecordingObserver(), CancellationToken.None);

        Assert.NotEqual(a.WeightsDigest, b.WeightsDigest);
        Assert.NotEqual(a.OnnxDigest, b.OnnxDigest);
        Assert.NotEqual(a.Metrics[TrainingMetrics.TrainLoss], b.Metrics[TrainingMetrics.TrainLoss]);
    }

    [Fact]
    public void Train_CancelledMidEpoch_ThrowsAndSavesNothing()
    {
        using var cts = new CancellationTokenSource();
        var observer = new RecordingObserver(cts, cancelAtProgress: 2);

        Assert.ThrowsAny<OperationCanceledException>(() =>
            new Trainer().Train(Request() with { ProgressEverySteps = 1 }, observer, cts.Token));

        Assert.Equal(2, observer.Progress.Count);
        Assert.Empty(observer.Epochs);
        Assert.Empty(Directory.GetFiles(_output.Path));
    }

    [Fact]
    public void Train_AlreadyCancelled_ThrowsBeforeWork()
    {
        var observer = new RecordingObserver();

        Assert.ThrowsAny<OperationCanceledException>(() => new Trainer().Train(Request(), observer, new CancellationToken(canceled: true)));

        Assert.Empty(observer.Progress);
    }

    [Fact]
    public void Train_SgdWithMomentumAndLimits_UsesSubset()
    {
        var hp = new HyperParameters { Optimizer = Optimizer.Sgd, LearningRate = 0.05, Momentum = 0.9, WeightDecay = 1e-4, BatchSize = 50, Epochs = 1 };
        var observer = new RecordingObserver();
        var request = Request() with { HyperParameters = hp, MaxTrainSamples = 200, MaxTestSamples = 100, ProgressEverySteps = 0 };

        var result = new Trainer().Train(request, observer, CancellationToken.None);

        var progress = Assert.Single(observer.Progress);
        Assert.Equal(4, progress.StepsPerEpoch);
        Assert.Equal(4, progress.Step);
        Assert.InRange(result.Metrics[TrainingMetrics.TestAccuracy], 0, 1);
        var correct = result.Metrics[TrainingMetrics.TestAccuracy] * 100;
        Assert.Equal(Math.Round(correct), correct, 6); // accuracy over exactly 100 test samples
    }

    [Fact]
    public void Train_InvalidHyperParameters_ThrowsNamingEveryField()
    {
        var request = Request() with
        {
            HyperParameters = new HyperParameters { Optimizer = Optimizer.Unspecified, LearningRate = 0, BatchSize = 0, Epochs = 0 },
            MaxTrainSamples = 0,
        };

        var ex = Assert.Throws<ArgumentException>(() => new Trainer().Train(request, new RecordingObserver(), CancellationToken.None));

        foreach (var field in new[] { "hyper_parameters.optimizer", "hyper_parameters.learning_rate", "hyper_parameters.batch_size", "hyper_parameters.epochs", "MaxTrainSamples" })
        {
            Assert.Contains(field, ex.Message);
        }
    }

    [Fact]
    public void Train_InvalidModel_ThrowsNamingLayer()
    {
        var spec = Specs.Mlp(8);
        spec.Layers.RemoveAt(0);

        var ex = Assert.Throws<ArgumentException>(() =>
            new Trainer().Train(Request() with { Model = spec }, new RecordingObserver(), CancellationToken.None));

        Assert.Contains("model.layers[0].linear", ex.Message);
    }

    [Fact]
    public void Train_ModelWithWrongClassCount_ThrowsNamingLayers()
    {
        var spec = Specs.Mlp(8);
        spec.Layers[^1].Linear.OutFeatures = 7;

        var ex = Assert.Throws<ArgumentException>(() =>
            new Trainer().Train(Request() with { Model = spec }, new RecordingObserver(), CancellationToken.None));

        Assert.Contains("model.layers", ex.Message);
        Assert.Contains("10 classes", ex.Message);
    }

    [Fact]
    public void Train_InputShapeNotMatchingImages_ThrowsNamingInputShape()
    {
        var spec = Specs.Mlp(8);
        spec.InputShape.Clear();
        spec.InputShape.Add([1, 14, 14]);

        var ex = Assert.Throws<ArgumentException>(() =>
            new Trainer().Train(Request() with { Model = spec }, new RecordingObserver(), CancellationToken.None));

        Assert.Contains("model.input_shape", ex.Message);
    }

    [Fact]
    public void Train_DatasetMissing_ThrowsDatasetExceptionNamingDirectory()
    {
        var missing = Path.Combine(_output.Path, "no-such-dataset");

        var ex = Assert.Throws<DatasetException>(() =>
            new Trainer().Train(Request() with { DatasetPath = missing }, new RecordingObserver(), CancellationToken.None));

        Assert.Equal(missing, ex.FilePath);
    }
}
