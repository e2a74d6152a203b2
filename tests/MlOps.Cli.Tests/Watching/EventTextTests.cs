using MlOps.Cli.Tests.Fakes;
using MlOps.Cli.Watching;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Watching;

public sealed class EventTextTests
{
    [Fact]
    public void Body_StateChangeWithReason_NamesStatesAttemptAgentAndReason()
    {
        var text = EventText.Body(JobEvents.State("j", 1, JobState.Running, JobState.Queued, "agent local lost"));

        Assert.Equal("state RUNNING -> QUEUED (attempt 1, agent local): agent local lost", text);
    }

    [Fact]
    public void Body_FirstStateOfANewJob_HasNoFromState()
    {
        Assert.Equal("state QUEUED: submitted", EventText.Body(new JobEvent { StateChange = new StateChange { To = JobState.Queued, Reason = "submitted" } }));
    }

    [Fact]
    public void Body_WholeNumberMetric_HasNoDecimalsButAccuracyAlwaysHasFour()
    {
        Assert.Equal("metrics final: test_accuracy=1.0000 epochs=12", EventText.Body(JobEvents.Metrics("j", 1, 0, ("epochs", 12), ("test_accuracy", 1))));
    }

    [Fact]
    public void Body_Metrics_PutsTestAccuracyFirstThenTheRestByName()
    {
        var text = EventText.Body(JobEvents.Metrics("j", 1, 2, ("loss", 0.5), ("accuracy", 0.8), ("test_accuracy", 0.9)));

        Assert.Equal("metrics epoch 2: test_accuracy=0.9000 accuracy=0.8000 loss=0.5000", text);
    }

    [Fact]
    public void Body_LogLineWithTrailingNewline_IsTrimmed()
    {
        var jobEvent = new JobEvent { Seq = 1, Log = new LogLine { Stream = LogStream.Stderr, Text = "warning: slow disk\n" } };

        Assert.Equal("[stderr] warning: slow disk", EventText.Body(jobEvent));
    }

    [Fact]
    public void Format_EventWithoutPayload_IsSkipped()
    {
        Assert.Null(EventText.Format(new JobEvent { Seq = 1 }));
    }
}
