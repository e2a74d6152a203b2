using MlOps.Agent.Worker;
using MlOps.Contracts;
using MlOps.Core.Jobs;
using MlOps.Training;

namespace MlOps.Agent.Tests.Worker;

public sealed class TrainCommandTests
{
    private static readonly TrainingRequest Request = new(new ModelSpec(), new HyperParameters(), 1, "/data", "/srv/agent/jobs/j-1/attempt-2/output");

    [Fact]
    public void WithPolicy_EverySteps_SetsStepsOnly()
    {
        var request = TrainCommand.WithPolicy(Request, new CheckpointPolicy { EverySteps = 25 });

        Assert.Equal(25, request.CheckpointEverySteps);
        Assert.Null(request.CheckpointEvery);
    }

    [Fact]
    public void WithPolicy_EverySecondsAndSteps_SetsBoth()
    {
        var request = TrainCommand.WithPolicy(Request, new CheckpointPolicy { EverySteps = 10, EverySeconds = 90 });

        Assert.Equal(10, request.CheckpointEverySteps);
        Assert.Equal(TimeSpan.FromSeconds(90), request.CheckpointEvery);
    }

    [Fact]
    public void WithPolicy_Disabled_SetsNothingEvenWithIntervals()
    {
        var request = TrainCommand.WithPolicy(Request, new CheckpointPolicy { EverySteps = 10, EverySeconds = 90, Disabled = true });

        Assert.Equal(0, request.CheckpointEverySteps);
        Assert.Null(request.CheckpointEvery);
    }

    [Fact]
    public void WithPolicy_Absent_SetsNothing()
    {
        var request = TrainCommand.WithPolicy(Request, null);

        Assert.Equal(0, request.CheckpointEverySteps);
        Assert.Null(request.CheckpointEvery);
    }

    [Fact]
    public void WithPolicy_StepsBeyondInt_Clamped()
    {
        var request = TrainCommand.WithPolicy(Request, new CheckpointPolicy { EverySteps = long.MaxValue });

        Assert.Equal(int.MaxValue, request.CheckpointEverySteps);
    }

    [Fact]
    public void WriteReferenceProfile_ModelUnreadable_LogsAWarningAndWritesNothing()
    {
        using var temp = new MlOps.Testing.TempDirectory("train-profile");
        MlOps.Testing.TinyMnistDataset.Write(temp.Combine("data"), 20, 10);
        Directory.CreateDirectory(temp.Combine("output"));
        File.WriteAllText(temp.Combine("output", "model.onnx"), "not a model");
        var observer = new LinesObserver();

        TrainCommand.WriteReferenceProfile(temp.Combine("output", "model.onnx"), temp.Combine("data"), [1, 28, 28], temp.Combine("output"), 1, observer);

        var line = Assert.Single(observer.Lines);
        Assert.StartsWith("warning: no reference profile, publishing the model without one: ", line, StringComparison.Ordinal);
        Assert.False(File.Exists(temp.Combine("output", "profile.json")));
    }

    [Fact]
    public void WriteReferenceProfile_InputNotOneImage_LogsAWarning()
    {
        using var temp = new MlOps.Testing.TempDirectory("train-profile");
        MlOps.Testing.TinyMnistDataset.Write(temp.Combine("data"), 20, 10);
        var observer = new LinesObserver();

        TrainCommand.WriteReferenceProfile(temp.Combine("model.onnx"), temp.Combine("data"), [3, 28, 28], temp.Path, 1, observer);

        Assert.Contains("is not one 28x28 image", Assert.Single(observer.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public void CompareWithBaseline_BothModelsRun_ReturnsEveryComparisonMetricAndLogsOneLine()
    {
        using var temp = new MlOps.Testing.TempDirectory("train-compare");
        MlOps.Testing.TinyMnistDataset.Write(temp.Combine("data"), 10, 100);
        var candidate = BandModelsForTests.Write(temp.Combine("output", "model.onnx"));
        BandModelsForTests.Write(temp.Combine("baseline", "model.onnx"), knownClasses: 5);
        var observer = new LinesObserver();

        var metrics = TrainCommand.CompareWithBaseline(candidate, temp.Combine("data"), temp.Combine("baseline"),
            new BaselineArtifact { Model = "fashion-mlp", Version = 3 }, [1, 28, 28], 1, observer);

        Assert.NotNull(metrics);
        Assert.Equal(
            [ComparisonMetrics.BaselineAccuracy, ComparisonMetrics.BaselineOnlyCorrect, ComparisonMetrics.BaselineVersion, ComparisonMetrics.CandidateAccuracy,
                ComparisonMetrics.CandidateOnlyCorrect, ComparisonMetrics.McNemarPValue, ComparisonMetrics.Samples],
            metrics.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(3, metrics[ComparisonMetrics.BaselineVersion]);
        Assert.Equal(100, metrics[ComparisonMetrics.Samples]);
        Assert.Equal(1, metrics[ComparisonMetrics.CandidateAccuracy]);
        Assert.Equal(0, metrics[ComparisonMetrics.BaselineOnlyCorrect]);
        Assert.Equal(100 * (1 - metrics[ComparisonMetrics.BaselineAccuracy]), metrics[ComparisonMetrics.CandidateOnlyCorrect], 9);
        Assert.StartsWith("compared with fashion-mlp v3 on 100 test images: candidate 1.0000, baseline 0.", Assert.Single(observer.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public void CompareWithBaseline_BaselineTakesOtherImages_LogsAWarningAndReturnsNoMetrics()
    {
        using var temp = new MlOps.Testing.TempDirectory("train-compare");
        MlOps.Testing.TinyMnistDataset.Write(temp.Combine("data"), 10, 20);
        var candidate = BandModelsForTests.Write(temp.Combine("output", "model.onnx"));
        BandModelsForTests.Write(temp.Combine("baseline", "model.onnx"), inputShape: [1, 14, 14]);
        var observer = new LinesObserver();

        var metrics = TrainCommand.CompareWithBaseline(candidate, temp.Combine("data"), temp.Combine("baseline"),
            new BaselineArtifact { Model = "fashion-small", Version = 2 }, [1, 28, 28], 1, observer);

        Assert.Null(metrics);
        Assert.Equal("warning: no comparison with fashion-small v2: the baseline input [1, 14, 14] is not one 28x28 image", Assert.Single(observer.Lines));
    }

    [Fact]
    public void CompareWithBaseline_BaselineMissing_LogsAWarningAndReturnsNoMetrics()
    {
        using var temp = new MlOps.Testing.TempDirectory("train-compare");
        MlOps.Testing.TinyMnistDataset.Write(temp.Combine("data"), 10, 20);
        var candidate = BandModelsForTests.Write(temp.Combine("output", "model.onnx"));
        var observer = new LinesObserver();

        var metrics = TrainCommand.CompareWithBaseline(candidate, temp.Combine("data"), temp.Combine("gone"), null, [1, 28, 28], 1, observer);

        Assert.Null(metrics);
        Assert.StartsWith("warning: no comparison with the baseline: the baseline has no ONNX file at ", Assert.Single(observer.Lines), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckpointDirectory_OutputInAttemptDirectory_IsCheckpointsBesideIt()
    {
        var output = Path.Combine(Path.GetTempPath(), "jobs", "j-1", "attempt-2", "output");

        Assert.Equal(Path.Combine(Path.GetTempPath(), "jobs", "j-1", "attempt-2", "checkpoints"), TrainCommand.CheckpointDirectory(output));
    }

    private sealed class LinesObserver : ITrainingObserver
    {
        public List<string> Lines { get; } = [];

        public void OnProgress(TrainingProgress progress)
        {
        }

        public void OnEpochMetrics(int epoch, IReadOnlyDictionary<string, double> metrics)
        {
        }

        public void OnLog(string message) => Lines.Add(message);
    }
}
