using MlOps.Contracts;
using MlOps.Onnx;
using MlOps.Onnx.Protos;
using MlOps.Testing;
using MlOps.Training.Tests.Support;

namespace MlOps.Training.Tests.Training;

/// <summary>The ONNX file the trainer writes next to the weights, and what a softmax head changes.</summary>
[Collection(TorchCollection.Name)]
public sealed class TrainerExportTests(SyntheticDatasetFixture dataset) : IClassFixture<SyntheticDatasetFixture>, IDisposable
{
    private readonly TempDirectory _output = new("mlops-export-out-");

    public void Dispose() => _output.Dispose();

    private TrainingRequest Request(ModelSpec spec, int epochs = 1) =>
        new(spec, Specs.Adam(epochs: epochs), 1, dataset.Path, _output.Path) { Threads = 1, ProgressEverySteps = 0 };

    [Fact]
    public void Train_Finished_OnnxCarriesNameVersionAndLineage()
    {
        var request = Request(Specs.Mlp(32)) with
        {
            ModelName = "fashion-mlp",
            ModelVersion = 4,
            ModelMetadata = new Dictionary<string, string> { [OnnxMetadataKeys.DatasetDigest] = "sha256:" + new string('a', 64), ["mlops.job_id"] = "job-1" },
        };

        var result = new Trainer().Train(request, new RecordingObserver(), CancellationToken.None);

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.OnnxPath));
        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        Assert.Equal(8, model.IrVersion);
        Assert.Equal(4, model.ModelVersion);
        Assert.Equal("fashion-mlp", model.Graph.Name);
        Assert.Equal(result.WeightsDigest, metadata[OnnxMetadataKeys.WeightsDigest]);
        Assert.Equal("sha256:" + new string('a', 64), metadata[OnnxMetadataKeys.DatasetDigest]);
        Assert.Equal("job-1", metadata["mlops.job_id"]);
        Assert.Equal("0.286", metadata[OnnxMetadataKeys.InputMean]);
        Assert.Equal("0.353", metadata[OnnxMetadataKeys.InputStd]);
        Assert.Equal("logits", metadata[OnnxMetadataKeys.Output]);
        Assert.Equal(model.MetadataProps.Select(p => p.Key).Order(StringComparer.Ordinal), model.MetadataProps.Select(p => p.Key));
    }

    [Fact]
    public void Train_CnnWithSoftmaxHead_LearnsOnLogitsAndExportsProbabilities()
    {
        var observer = new RecordingObserver();

        var result = new Trainer().Train(Request(Specs.SmallCnn(softmax: true), epochs: 2), observer, CancellationToken.None);

        // Cross-entropy on probabilities would plateau far higher; on logits the synthetic bands are learnt.
        Assert.True(result.Metrics[TrainingMetrics.TestAccuracy] > 0.5, $"test accuracy {result.Metrics[TrainingMetrics.TestAccuracy]}");
        Assert.True(result.Metrics[TrainingMetrics.TestLoss] < 2.0, $"test loss {result.Metrics[TrainingMetrics.TestLoss]}");
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(result.OnnxPath));
        Assert.Equal(
            ["Conv", "BatchNormalization", "Relu", "MaxPool", "Flatten", "Gemm", "Softmax"],
            model.Graph.Node.Select(n => n.OpType));
        Assert.Equal("probabilities", model.MetadataProps.Single(p => p.Key == OnnxMetadataKeys.Output).Value);
        Assert.Contains(observer.Logs, l => l.StartsWith("ONNX model exported to ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(OnnxMetadataKeys.WeightsDigest)]
    [InlineData(OnnxMetadataKeys.ModelName)]
    [InlineData(OnnxMetadataKeys.InputMean)]
    public void Train_MetadataSettingOwnedKey_ThrowsBeforeTraining(string key)
    {
        var observer = new RecordingObserver();
        var request = Request(Specs.Mlp(8)) with { ModelMetadata = new Dictionary<string, string> { [key] = "x" } };

        var ex = Assert.Throws<ArgumentException>(() => new Trainer().Train(request, observer, CancellationToken.None));

        Assert.Contains("ModelMetadata", ex.Message);
        Assert.Contains(key, ex.Message);
        Assert.Empty(observer.Progress);
    }

    [Fact]
    public void Train_BadModelNameAndVersion_ThrowsNamingBoth()
    {
        var request = Request(Specs.Mlp(8)) with { ModelName = "", ModelVersion = -2 };

        var ex = Assert.Throws<ArgumentException>(() => new Trainer().Train(request, new RecordingObserver(), CancellationToken.None));

        Assert.Contains("ModelName", ex.Message);
        Assert.Contains("ModelVersion", ex.Message);
    }
}
