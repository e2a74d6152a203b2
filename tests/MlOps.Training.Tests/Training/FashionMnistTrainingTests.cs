using MlOps.Core.Datasets;
using MlOps.Testing;
using MlOps.Training.Tests.Support;

namespace MlOps.Training.Tests.Training;

/// <summary>A fact that is skipped, saying why, when Debian's dataset-fashion-mnist package is not installed.</summary>
public sealed class FashionMnistFactAttribute : FactAttribute
{
    public static readonly string DatasetPath = DatasetCatalog.Defaults["fashion-mnist"].Path;

    public FashionMnistFactAttribute()
    {
        if (!Directory.Exists(DatasetPath))
        {
            Skip = $"Fashion-MNIST not found at {DatasetPath} (install Debian's dataset-fashion-mnist package)";
        }
    }
}

[Collection(TorchCollection.Name)]
public sealed class FashionMnistTrainingTests
{
    [FashionMnistFact]
    [Trait("Category", "Integration")]
    public void Train_FashionMnistSubset_LearnsWithinOneEpoch()
    {
        using var output = new TempDirectory("mlops-fashion");
        var request = new TrainingRequest(Specs.Mlp(256, 128), Specs.Adam(epochs: 1, batchSize: 64), 1, FashionMnistFactAttribute.DatasetPath, output.Path)
        {
            Threads = 2,
            MaxTrainSamples = 2000,
            MaxTestSamples = 1000,
        };
        var observer = new RecordingObserver();

        var result = new Trainer().Train(request, observer, CancellationToken.None);

        // Chance is 0.10; 2000 samples and one epoch reach about 0.7.
        Assert.True(result.Metrics[TrainingMetrics.TestAccuracy] > 0.6, $"test accuracy {result.Metrics[TrainingMetrics.TestAccuracy]}");
        Assert.Contains(observer.Logs, l => l.Contains("2000 training and 1000 test samples", StringComparison.Ordinal));
        Assert.True(File.Exists(result.WeightsPath));
    }
}
