using MlOps.Cli.Tests.Fakes;
using MlOps.Cli.Watching;
using MlOps.Contracts;

namespace MlOps.Cli.Tests.Watching;

public sealed class FinalReportTests
{
    [Fact]
    public void Write_Succeeded_PrintsStateThenTestAccuracyThenOtherMetricsAndWeights()
    {
        var job = new Job { Id = "j", State = JobState.Succeeded };
        JobEvents.Succeed(job);
        job.Result.Metrics["accuracy"] = 0.95;
        var output = new StringWriter();

        FinalReport.Write(output, job);

        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["state: SUCCEEDED", "test_accuracy: 0.9123", "accuracy: 0.9500", "test_loss: 0.2500", "train_seconds: 12.5000"], lines[..5]);
        Assert.Equal("weights_sha256: sha256:" + new string('a', 64), lines[5]);
        Assert.Equal("weights_uri: file:///data/agent/artifacts/j/weights.bin", lines[6]);
    }

    [Fact]
    public void Write_Failed_PrintsStateAndReasonOnly()
    {
        var output = new StringWriter();

        FinalReport.Write(output, new Job { State = JobState.Failed, FailureReason = "agent lost; 3 of 3 attempts used" });

        Assert.Equal($"state: FAILED{Environment.NewLine}reason: agent lost; 3 of 3 attempts used{Environment.NewLine}", output.ToString());
    }
}
