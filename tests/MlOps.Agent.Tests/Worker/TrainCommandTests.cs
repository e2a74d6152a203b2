using MlOps.Agent.Worker;
using MlOps.Contracts;
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
