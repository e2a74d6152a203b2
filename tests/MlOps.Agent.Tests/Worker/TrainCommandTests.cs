using MlOps.Agent.Worker;
using MlOps.Contracts;
using MlOps.Training;

namespace MlOps.Agent.Tests.Worker;

public sealed class TrainCommandTests
{
    private static readonly TrainingRequest Request = new(new ModelSpec(), new HyperParameters(), 1, "/data", "/work/jobs/j-1/attempt-2/output");

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
    public void CheckpointDirectory_OutputInAttemptDirectory_IsCheckpointsBesideIt()
    {
        var output = Path.Combine(Path.GetTempPath(), "jobs", "j-1", "attempt-2", "output");

        Assert.Equal(Path.Combine(Path.GetTempPath(), "jobs", "j-1", "attempt-2", "checkpoints"), TrainCommand.CheckpointDirectory(output));
    }
}
